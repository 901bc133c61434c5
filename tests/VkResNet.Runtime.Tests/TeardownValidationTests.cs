using VkResNet.Runtime;
using Xunit;

namespace VkResNet.Runtime.Tests;

/// <summary>The check GpuFixture.Dispose makes: what the validation layer says while the device and instance are destroyed counts.</summary>
public sealed class TeardownValidationTests
{
    [Fact]
    public void A_buffer_still_alive_at_device_teardown_fails_the_teardown_check()
    {
        var context = VulkanContext.Create(new ContextOptions { Validation = true });
        var device = context.CreateDevice("llvmpipe");
        var leaked = device.CreateBuffer(256, MemoryKind.DeviceLocal, "leaked-on-purpose");
        context.ThrowIfValidationMessages();  // clean so far
        device.Dispose();                      // the buffer is never disposed: its VkBuffer outlives the VkDevice
        context.Dispose();
        var e = Assert.Throws<ValidationException>(() => GpuFixture.AssertTeardownClean(context));
        Assert.Contains("teardown", e.Message);
        GC.KeepAlive(leaked);
    }

    [Fact]
    public void A_clean_teardown_passes_the_check()
    {
        var context = VulkanContext.Create(new ContextOptions { Validation = true });
        var device = context.CreateDevice("llvmpipe");
        using (device.CreateBuffer(256, MemoryKind.DeviceLocal, "freed")) { }
        device.Dispose();
        context.Dispose();
        GpuFixture.AssertTeardownClean(context);
        Assert.Empty(context.ValidationMessages);
    }
}
