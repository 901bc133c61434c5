using Silk.NET.Vulkan;
using VkResNet.Samples.Shared;

namespace VkResNet.Samples.RealtimeHost;

/// <summary>
/// The stand-in engine: the raw Silk.NET start-up of <see cref="RawVulkanDevice"/> (timeline semaphores on when
/// supported) plus, per frame in flight, a command buffer and a fence (the fence stands in for the swapchain's
/// present). Its handles go to VkResNet as they are.
/// </summary>
public sealed class HostEngine : IDisposable
{
    public static uint ApiVersion => RawVulkanDevice.ApiVersion;

    readonly RawVulkanDevice _vk;
    readonly CommandBuffer[] _frames;
    readonly Fence[] _fences;

    public Instance Instance => _vk.Instance;
    public PhysicalDevice PhysicalDevice => _vk.PhysicalDevice;
    public Device Device => _vk.Device;
    public uint QueueFamily => _vk.QueueFamily;
    public bool Timelines => _vk.Timelines;
    public string DeviceName => _vk.DeviceName;

    /// <param name="validation">Enable VK_LAYER_KHRONOS_validation on the engine's instance and VK_EXT_debug_utils, so VkResNet's messenger can collect its messages.</param>
    public HostEngine(string? deviceName, int framesInFlight, bool validation = false)
    {
        _vk = new RawVulkanDevice("vkresnet-realtime-host", deviceName, validation);
        _frames = new CommandBuffer[framesInFlight];
        _fences = new Fence[framesInFlight];
        for (int i = 0; i < framesInFlight; i++)
        {
            _frames[i] = _vk.AllocateCommandBuffer();
            _fences[i] = _vk.CreateFence(signaled: true); // frame i is free
        }
    }

    /// <summary>Waits until frame slot <paramref name="i"/> is free (its last present), then starts recording its command buffer.</summary>
    public unsafe CommandBuffer BeginFrame(int i)
    {
        Fence fence = _fences[i];
        _vk.Wait(fence);
        RawVulkanDevice.Check(_vk.Vk.ResetFences(Device, 1, &fence), "vkResetFences");
        RawVulkanDevice.Check(_vk.Vk.ResetCommandBuffer(_frames[i], 0), "vkResetCommandBuffer");
        _vk.Begin(_frames[i]);
        return _frames[i];
    }

    /// <summary>Ends and submits frame slot <paramref name="i"/>, signalling its fence and, when given, a timeline value.</summary>
    public void EndFrame(int i, Silk.NET.Vulkan.Semaphore signal = default, ulong value = 0)
    {
        _vk.End(_frames[i]);
        _vk.Submit(_frames[i], _fences[i], signal: (signal, value));
    }

    /// <summary>Waits for frame slot <paramref name="i"/>'s fence (the "present").</summary>
    public void WaitFrame(int i) => _vk.Wait(_fences[i]);

    public unsafe void Dispose()
    {
        _vk.Vk.DeviceWaitIdle(Device);
        foreach (var f in _fences) _vk.Vk.DestroyFence(Device, f, null);
        _vk.Dispose();
    }
}
