using VkResNet.Runtime;
using Xunit;

namespace VkResNet.Runtime.Tests;

/// <summary>
/// One Vulkan context (validation and synchronization validation on) and one device for a whole
/// test assembly. Tests call <see cref="AssertClean"/> (GpuTest does it on dispose) so that any
/// validation message fails the test that caused it.
/// </summary>
public sealed class GpuFixture : IDisposable
{
    public VulkanContext Context { get; }
    public Device Device { get; }
    public string CacheDirectory { get; }

    public GpuFixture()
    {
        ShaderLibrary.Register(typeof(GpuFixture).Assembly);
        CacheDirectory = Path.Combine(Path.GetTempPath(), $"vkresnet-test-cache-{Environment.ProcessId}");
        Context = VulkanContext.Create(new ContextOptions { Validation = true });
        Device = Context.CreateDevice(Environment.GetEnvironmentVariable("VKRESNET_TEST_DEVICE") ?? "llvmpipe",
            RuntimeSwitches.FromEnvironment().Apply(new DeviceOptions { PipelineCacheDirectory = CacheDirectory, FenceTimeout = TimeSpan.FromSeconds(300) }));
        AssertClean();
    }

    /// <summary>Fails with every message the validation layer reported since the last check.</summary>
    public void AssertClean()
    {
        var messages = Context.ValidationMessages;
        Context.ClearValidationMessages();
        Assert.True(messages.Count == 0, $"Validation reported {messages.Count} message(s):\n{string.Join("\n", messages)}");
    }

    /// <summary>
    /// Destroys the device and the instance, then fails the run if the validation layer spoke during teardown
    /// (objects still alive at vkDestroyDevice, a bad destroy order): xunit reports it as a collection cleanup failure.
    /// </summary>
    public void Dispose()
    {
        Context.ClearValidationMessages();  // every test checked its own; what follows is teardown's
        Device.Dispose();
        Context.Dispose();
        try { Directory.Delete(CacheDirectory, recursive: true); } catch (IOException) { }
        AssertTeardownClean(Context);
    }

    /// <summary>The teardown check on its own, for tests that make a context of their own.</summary>
    public static void AssertTeardownClean(VulkanContext disposed)
    {
        var messages = disposed.ValidationMessages;
        if (messages.Count > 0)
            throw new ValidationException($"Validation reported {messages.Count} message(s) at device/instance teardown:\n{string.Join("\n", messages)}");
    }
}

[CollectionDefinition(Name)]
public sealed class GpuCollection : ICollectionFixture<GpuFixture>
{
    public const string Name = "gpu";
}

/// <summary>Base class of GPU tests: gives the device and fails the test on any validation message.</summary>
[Collection(GpuCollection.Name)]
public abstract class GpuTest(GpuFixture gpu) : IDisposable
{
    protected GpuFixture Gpu { get; } = gpu;
    protected Device Device => Gpu.Device;

    /// <summary>Uploads data into a fresh device-local buffer (disposed by the caller).</summary>
    protected Buffer UploadNew(ReadOnlySpan<float> data, string? name = null)
    {
        var b = Device.CreateBuffer(Math.Max(4, data.Length * 4), MemoryKind.DeviceLocal, name);
        Device.Upload(b.Slice(0, data.Length * 4), data);
        return b;
    }

    public virtual void Dispose()
    {
        Gpu.AssertClean();
        GC.SuppressFinalize(this);
    }
}
