using VkResNet.Samples.Shared;

namespace VkResNet.Graph.Tests.Embedding;

/// <summary>
/// Stands in for an engine that embeds VkResNet: the raw start-up that samples/RealtimeHost uses too
/// (<see cref="RawVulkanDevice"/>, compiled in from samples/Shared), with validation and synchronization
/// validation on, lavapipe picked and timeline semaphores enabled or not. The app destroys its objects itself.
/// </summary>
public sealed class SilkVulkanApp : IDisposable
{
    readonly RawVulkanDevice _vk;

    public static uint ApiVersion => RawVulkanDevice.ApiVersion;
    public VkInstance Instance => _vk.Instance;
    public VkPhysicalDevice PhysicalDevice => _vk.PhysicalDevice;
    public VkDevice Device => _vk.Device;
    public uint QueueFamily => _vk.QueueFamily;
    public VkQueue Queue => _vk.Queue;

    public SilkVulkanApp(bool timelineSemaphores) =>
        _vk = new RawVulkanDevice("raw-app", Environment.GetEnvironmentVariable("VKRESNET_TEST_DEVICE") ?? "llvmpipe",
            validation: true, timelineSemaphores, synchronizationValidation: true);

    public VkCommandBuffer AllocateCommandBuffer() => _vk.AllocateCommandBuffer();
    public void Begin(VkCommandBuffer cb) => _vk.Begin(cb);
    public void End(VkCommandBuffer cb) => _vk.End(cb);

    /// <summary>Submits one command buffer, optionally waiting on and signalling a timeline semaphore, and waits for the app's own fence.</summary>
    public unsafe void SubmitAndWait(VkCommandBuffer cb, (VkSemaphore Semaphore, ulong Value) wait = default, (VkSemaphore Semaphore, ulong Value) signal = default)
    {
        var fence = _vk.CreateFence(signaled: false);
        try
        {
            _vk.Submit(cb, fence, wait, signal);
            _vk.Wait(fence);
        }
        finally
        {
            _vk.Vk.DestroyFence(_vk.Device, fence, null);
        }
    }

    public void Dispose() => _vk.Dispose();
}
