using Silk.NET.Core.Native;
using Silk.NET.Vulkan;
using VulkanUnavailableException = VkResNet.Runtime.VulkanUnavailableException;

namespace VkResNet.Samples.RealtimeHost;

/// <summary>
/// The stand-in engine: a Silk.NET app with its own Instance, Device (timeline semaphores on when supported),
/// Queue, command pool and, per frame in flight, a command buffer and a fence (the fence stands in for the
/// swapchain's present). Made with Silk.NET's <c>Vk.GetApi()</c> as any Silk.NET engine would; its handles go
/// to VkResNet as they are.
/// </summary>
public sealed unsafe class HostEngine : IDisposable
{
    public static readonly uint ApiVersion = Vk.Version13;

    public Vk Vk { get; }
    public Instance Instance { get; }
    public PhysicalDevice PhysicalDevice { get; }
    public Device Device { get; }
    public uint QueueFamily { get; }
    public Queue Queue { get; }
    public bool Timelines { get; }
    public string DeviceName { get; }
    readonly CommandPool _pool;
    readonly CommandBuffer[] _frames;
    readonly Fence[] _fences;

    /// <param name="validation">Enable VK_LAYER_KHRONOS_validation on the engine's instance and VK_EXT_debug_utils, so VkResNet's messenger can collect its messages.</param>
    public HostEngine(string? deviceName, int framesInFlight, bool validation = false)
    {
        Vk = Vk.GetApi();
        nint name = SilkMarshal.StringToPtr("vkresnet-realtime-host");
        nint layer = SilkMarshal.StringToPtr("VK_LAYER_KHRONOS_validation");
        nint debugUtils = SilkMarshal.StringToPtr("VK_EXT_debug_utils");
        try
        {
            var app = new ApplicationInfo { SType = StructureType.ApplicationInfo, PApplicationName = (byte*)name, ApiVersion = ApiVersion };
            var info = new InstanceCreateInfo { SType = StructureType.InstanceCreateInfo, PApplicationInfo = &app };
            if (validation)
            {
                info.EnabledLayerCount = 1;
                info.PpEnabledLayerNames = (byte**)&layer;
                info.EnabledExtensionCount = 1;   // VkResNet's messenger on this instance collects the layer's messages
                info.PpEnabledExtensionNames = (byte**)&debugUtils;
            }
            Check(Vk.CreateInstance(&info, null, out Instance instance), "vkCreateInstance");
            Instance = instance;
        }
        finally
        {
            SilkMarshal.Free(name);
            SilkMarshal.Free(layer);
            SilkMarshal.Free(debugUtils);
        }

        uint n = 0;
        Check(Vk.EnumeratePhysicalDevices(Instance, &n, null), "vkEnumeratePhysicalDevices");
        if (n == 0) throw new VulkanUnavailableException("No Vulkan device found (on Debian: sudo apt-get install mesa-vulkan-drivers).");
        var devices = new PhysicalDevice[n];
        fixed (PhysicalDevice* p = devices) Check(Vk.EnumeratePhysicalDevices(Instance, &n, p), "vkEnumeratePhysicalDevices");
        DeviceName = "";
        foreach (var d in devices)
        {
            Vk.GetPhysicalDeviceProperties(d, out PhysicalDeviceProperties props);
            string dn = SilkMarshal.PtrToString((nint)props.DeviceName) ?? "";
            if (deviceName == null || dn.Contains(deviceName, StringComparison.OrdinalIgnoreCase))
            {
                PhysicalDevice = d;
                DeviceName = dn;
                break;
            }
        }
        if (DeviceName == "") throw new VulkanUnavailableException($"No Vulkan device matches \"{deviceName}\".");

        Vk.GetPhysicalDeviceQueueFamilyProperties(PhysicalDevice, &n, null);
        var families = new QueueFamilyProperties[n];
        fixed (QueueFamilyProperties* f = families) Vk.GetPhysicalDeviceQueueFamilyProperties(PhysicalDevice, &n, f);
        QueueFamily = (uint)Array.FindIndex(families, f => (f.QueueFlags & QueueFlags.ComputeBit) != 0);

        var query = new PhysicalDeviceTimelineSemaphoreFeatures { SType = StructureType.PhysicalDeviceTimelineSemaphoreFeatures };
        var supported = new PhysicalDeviceFeatures2 { SType = StructureType.PhysicalDeviceFeatures2, PNext = &query };
        Vk.GetPhysicalDeviceFeatures2(PhysicalDevice, &supported);
        Timelines = query.TimelineSemaphore;

        float priority = 1f;
        var queueInfo = new DeviceQueueCreateInfo { SType = StructureType.DeviceQueueCreateInfo, QueueFamilyIndex = QueueFamily, QueueCount = 1, PQueuePriorities = &priority };
        var timeline = new PhysicalDeviceTimelineSemaphoreFeatures { SType = StructureType.PhysicalDeviceTimelineSemaphoreFeatures, TimelineSemaphore = true };
        var features = new PhysicalDeviceFeatures2 { SType = StructureType.PhysicalDeviceFeatures2, PNext = Timelines ? &timeline : null };
        var deviceInfo = new DeviceCreateInfo { SType = StructureType.DeviceCreateInfo, PNext = &features, QueueCreateInfoCount = 1, PQueueCreateInfos = &queueInfo };
        Check(Vk.CreateDevice(PhysicalDevice, &deviceInfo, null, out Device device), "vkCreateDevice");
        Device = device;
        Vk.GetDeviceQueue(device, QueueFamily, 0, out Queue queue);
        Queue = queue;

        var poolInfo = new CommandPoolCreateInfo { SType = StructureType.CommandPoolCreateInfo, Flags = CommandPoolCreateFlags.ResetCommandBufferBit, QueueFamilyIndex = QueueFamily };
        Check(Vk.CreateCommandPool(device, &poolInfo, null, out _pool), "vkCreateCommandPool");
        _frames = new CommandBuffer[framesInFlight];
        _fences = new Fence[framesInFlight];
        for (int i = 0; i < framesInFlight; i++)
        {
            var alloc = new CommandBufferAllocateInfo { SType = StructureType.CommandBufferAllocateInfo, CommandPool = _pool, Level = CommandBufferLevel.Primary, CommandBufferCount = 1 };
            Check(Vk.AllocateCommandBuffers(device, &alloc, out _frames[i]), "vkAllocateCommandBuffers");
            var fenceInfo = new FenceCreateInfo { SType = StructureType.FenceCreateInfo, Flags = FenceCreateFlags.SignaledBit }; // frame i is free
            Check(Vk.CreateFence(device, &fenceInfo, null, out _fences[i]), "vkCreateFence");
        }
    }

    /// <summary>Waits until frame slot <paramref name="i"/> is free (its last present), then starts recording its command buffer.</summary>
    public CommandBuffer BeginFrame(int i)
    {
        Fence fence = _fences[i];
        Check(Vk.WaitForFences(Device, 1, &fence, true, 60_000_000_000UL), "vkWaitForFences");
        Check(Vk.ResetFences(Device, 1, &fence), "vkResetFences");
        Check(Vk.ResetCommandBuffer(_frames[i], 0), "vkResetCommandBuffer");
        var begin = new CommandBufferBeginInfo { SType = StructureType.CommandBufferBeginInfo, Flags = CommandBufferUsageFlags.OneTimeSubmitBit };
        Check(Vk.BeginCommandBuffer(_frames[i], &begin), "vkBeginCommandBuffer");
        return _frames[i];
    }

    /// <summary>Ends and submits frame slot <paramref name="i"/>, signalling its fence and, when given, a timeline value.</summary>
    public void EndFrame(int i, Silk.NET.Vulkan.Semaphore signal = default, ulong value = 0)
    {
        CommandBuffer cb = _frames[i];
        Check(Vk.EndCommandBuffer(cb), "vkEndCommandBuffer");
        var timeline = new TimelineSemaphoreSubmitInfo { SType = StructureType.TimelineSemaphoreSubmitInfo, SignalSemaphoreValueCount = 1, PSignalSemaphoreValues = &value };
        bool signals = signal.Handle != 0;
        var submit = new SubmitInfo
        {
            SType = StructureType.SubmitInfo, PNext = signals ? &timeline : null,
            CommandBufferCount = 1, PCommandBuffers = &cb,
            SignalSemaphoreCount = signals ? 1u : 0u, PSignalSemaphores = &signal,
        };
        Check(Vk.QueueSubmit(Queue, 1, &submit, _fences[i]), "vkQueueSubmit");
    }

    /// <summary>Waits for frame slot <paramref name="i"/>'s fence (the "present").</summary>
    public void WaitFrame(int i)
    {
        Fence fence = _fences[i];
        Check(Vk.WaitForFences(Device, 1, &fence, true, 60_000_000_000UL), "vkWaitForFences");
    }

    static void Check(Result r, string call)
    {
        if (r < 0) throw new InvalidOperationException($"{call} failed with {r}.");
    }

    public void Dispose()
    {
        Vk.DeviceWaitIdle(Device);
        foreach (var f in _fences) Vk.DestroyFence(Device, f, null);
        Vk.DestroyCommandPool(Device, _pool, null);
        Vk.DestroyDevice(Device, null);
        Vk.DestroyInstance(Instance, null);
        Vk.Dispose();
    }
}
