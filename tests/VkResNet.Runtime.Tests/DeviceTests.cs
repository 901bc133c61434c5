using VkResNet.Runtime;
using Xunit;

namespace VkResNet.Runtime.Tests;

public sealed class DeviceTests(GpuFixture gpu) : GpuTest(gpu)
{
    [Fact]
    public void Lavapipe_is_listed_with_its_limits()
    {
        var info = Device.Info;
        Assert.Contains("llvmpipe", info.Name);
        Assert.Equal(DeviceKind.Cpu, info.Kind);
        Assert.Equal(KernelVariant.Cpu, Device.Variant);
        Assert.True(info.SubgroupSize >= 1, "subgroup size");
        Assert.True(info.MaxWorkgroupInvocations >= 128, "Vulkan guarantees at least 128 invocations");
        Assert.True(info.MaxPushConstantBytes >= 128, "Vulkan guarantees at least 128 bytes of push constants");
        Assert.True(info.MaxStorageBufferRange >= 1 << 27, "storage-buffer range");
        Assert.InRange(info.MinTexelBufferOffsetAlignment, 1ul, 256ul);
        Assert.True(info.TimestampsSupported && info.TimestampPeriodNs > 0, "timestamps");
        Assert.StartsWith("1.", info.ApiVersion);
        Assert.False(string.IsNullOrEmpty(info.DriverName));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("LLVMPIPE")]
    public void Devices_are_chosen_by_index_or_name(string selector)
    {
        Assert.Contains("llvmpipe", Gpu.Context.SelectDevice(selector).Name);
    }

    [Theory]
    [InlineData("99", "No Vulkan device with index 99")]
    [InlineData("no-such-gpu", "No Vulkan device matches \"no-such-gpu\"")]
    public void A_bad_selector_names_the_devices_there_are(string selector, string message)
    {
        var e = Assert.Throws<VulkanUnavailableException>(() => Gpu.Context.SelectDevice(selector));
        Assert.Contains(message, e.Message);
        Assert.Contains("llvmpipe", e.Message);
    }

    [Fact]
    public void A_forced_kernel_variant_is_honoured()
    {
        using var device = Gpu.Context.CreateDevice("llvmpipe", new DeviceOptions { Variant = KernelVariant.Gpu, PipelineCacheDirectory = "none" });
        Assert.Equal(KernelVariant.Gpu, device.Variant);
    }
}
