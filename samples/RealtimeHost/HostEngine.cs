using VkResNet.Runtime;
using VkResNet.Runtime.Native;

namespace VkResNet.Samples.RealtimeHost;

/// <summary>
/// The stand-in engine: its own VkInstance, VkDevice (timeline semaphores on when supported), queue,
/// command pool and, per frame in flight, a command buffer and a fence (the fence stands in for the
/// swapchain's present). Made through the raw binding, as an engine would with its own loader.
/// </summary>
public sealed unsafe class HostEngine : IDisposable
{
    public const uint ApiVersion = (1u << 22) | (3u << 12);

    public VkInstanceApi InstanceApi { get; }
    public VkInstance Instance => InstanceApi.Instance;
    public VkPhysicalDevice PhysicalDevice { get; }
    public VkDeviceApi DeviceApi { get; }
    public VkDevice Device => DeviceApi.Device;
    public uint QueueFamily { get; }
    public VkQueue Queue { get; }
    public bool Timelines { get; }
    public string DeviceName { get; }
    readonly VkCommandPool _pool;
    readonly VkCommandBuffer[] _frames;
    readonly VkFence[] _fences;

    /// <param name="validation">Enable VK_LAYER_KHRONOS_validation on the engine's instance (the layer reports on stdout: the engine has no messenger).</param>
    public HostEngine(string? deviceName, int framesInFlight, bool validation = false)
    {
        byte* name = VkStrings.Alloc("vkresnet-realtime-host");
        byte* layer = VkStrings.Alloc("VK_LAYER_KHRONOS_validation");
        try
        {
            var app = new VkApplicationInfo { sType = VkStructureType.ApplicationInfo, pApplicationName = name, apiVersion = ApiVersion };
            var info = new VkInstanceCreateInfo { sType = VkStructureType.InstanceCreateInfo, pApplicationInfo = &app };
            if (validation)
            {
                info.enabledLayerCount = 1;
                info.ppEnabledLayerNames = &layer;
            }
            VkInstance instance;
            Vk.Check(VkInstanceApi.Global.CreateInstance(&info, null, &instance), "vkCreateInstance");
            InstanceApi = new VkInstanceApi(instance);
        }
        finally
        {
            VkStrings.Free(name);
            VkStrings.Free(layer);
        }

        uint n = 0;
        Vk.Check(InstanceApi.EnumeratePhysicalDevices(Instance, &n, null), "vkEnumeratePhysicalDevices");
        var devices = new VkPhysicalDevice[n];
        fixed (VkPhysicalDevice* p = devices) Vk.CheckAllow(InstanceApi.EnumeratePhysicalDevices(Instance, &n, p), "vkEnumeratePhysicalDevices");
        if (n == 0) throw new VulkanUnavailableException("No Vulkan device found (on Debian: sudo apt-get install mesa-vulkan-drivers).");
        PhysicalDevice = devices[0];
        DeviceName = "";
        foreach (var d in devices)
        {
            VkPhysicalDeviceProperties props;
            InstanceApi.GetPhysicalDeviceProperties(d, &props);
            string dn = VkStrings.FromFixed(props.deviceName, 256);
            if (deviceName == null || dn.Contains(deviceName, StringComparison.OrdinalIgnoreCase))
            {
                PhysicalDevice = d;
                DeviceName = dn;
                break;
            }
        }
        if (DeviceName == "") throw new VulkanUnavailableException($"No Vulkan device matches \"{deviceName}\".");

        InstanceApi.GetPhysicalDeviceQueueFamilyProperties(PhysicalDevice, &n, null);
        var families = new VkQueueFamilyProperties[n];
        fixed (VkQueueFamilyProperties* f = families) InstanceApi.GetPhysicalDeviceQueueFamilyProperties(PhysicalDevice, &n, f);
        QueueFamily = (uint)Array.FindIndex(families, f => (f.queueFlags & VkQueueFlags.Compute) != 0);

        var query = new VkPhysicalDeviceTimelineSemaphoreFeatures { sType = VkStructureType.PhysicalDeviceTimelineSemaphoreFeatures };
        var supported = new VkPhysicalDeviceFeatures2 { sType = VkStructureType.PhysicalDeviceFeatures2, pNext = &query };
        InstanceApi.GetPhysicalDeviceFeatures2(PhysicalDevice, &supported);
        Timelines = query.timelineSemaphore != 0;

        float priority = 1f;
        var queueInfo = new VkDeviceQueueCreateInfo { sType = VkStructureType.DeviceQueueCreateInfo, queueFamilyIndex = QueueFamily, queueCount = 1, pQueuePriorities = &priority };
        var timeline = new VkPhysicalDeviceTimelineSemaphoreFeatures { sType = VkStructureType.PhysicalDeviceTimelineSemaphoreFeatures, timelineSemaphore = 1 };
        var features = new VkPhysicalDeviceFeatures2 { sType = VkStructureType.PhysicalDeviceFeatures2, pNext = Timelines ? &timeline : null };
        var deviceInfo = new VkDeviceCreateInfo { sType = VkStructureType.DeviceCreateInfo, pNext = &features, queueCreateInfoCount = 1, pQueueCreateInfos = &queueInfo };
        VkDevice device;
        Vk.Check(InstanceApi.CreateDevice(PhysicalDevice, &deviceInfo, null, &device), "vkCreateDevice");
        DeviceApi = new VkDeviceApi(InstanceApi, device);
        VkQueue queue;
        DeviceApi.GetDeviceQueue(device, QueueFamily, 0, &queue);
        Queue = queue;

        var poolInfo = new VkCommandPoolCreateInfo { sType = VkStructureType.CommandPoolCreateInfo, flags = VkConst.CommandPoolResetCommandBuffer, queueFamilyIndex = QueueFamily };
        VkCommandPool pool;
        Vk.Check(DeviceApi.CreateCommandPool(device, &poolInfo, null, &pool), "vkCreateCommandPool");
        _pool = pool;
        _frames = new VkCommandBuffer[framesInFlight];
        _fences = new VkFence[framesInFlight];
        for (int i = 0; i < framesInFlight; i++)
        {
            var alloc = new VkCommandBufferAllocateInfo { sType = VkStructureType.CommandBufferAllocateInfo, commandPool = pool, level = VkConst.CommandBufferLevelPrimary, commandBufferCount = 1 };
            VkCommandBuffer cb;
            Vk.Check(DeviceApi.AllocateCommandBuffers(device, &alloc, &cb), "vkAllocateCommandBuffers");
            _frames[i] = cb;
            var fenceInfo = new VkFenceCreateInfo { sType = VkStructureType.FenceCreateInfo, flags = 1 }; // signalled: frame i is free
            VkFence fence;
            Vk.Check(DeviceApi.CreateFence(device, &fenceInfo, null, &fence), "vkCreateFence");
            _fences[i] = fence;
        }
    }

    /// <summary>Waits until frame slot <paramref name="i"/> is free (its last present), then starts recording its command buffer.</summary>
    public VkCommandBuffer BeginFrame(int i)
    {
        VkFence fence = _fences[i];
        Vk.Check(DeviceApi.WaitForFences(Device, 1, &fence, 1, 60_000_000_000UL), "vkWaitForFences");
        Vk.Check(DeviceApi.ResetFences(Device, 1, &fence), "vkResetFences");
        Vk.Check(DeviceApi.ResetCommandBuffer(_frames[i], 0), "vkResetCommandBuffer");
        var begin = new VkCommandBufferBeginInfo { sType = VkStructureType.CommandBufferBeginInfo, flags = VkConst.CommandBufferUsageOneTimeSubmit };
        Vk.Check(DeviceApi.BeginCommandBuffer(_frames[i], &begin), "vkBeginCommandBuffer");
        return _frames[i];
    }

    /// <summary>Ends and submits frame slot <paramref name="i"/>, signalling its fence and, when given, a timeline value.</summary>
    public void EndFrame(int i, VkSemaphore signal = default, ulong value = 0)
    {
        VkCommandBuffer cb = _frames[i];
        Vk.Check(DeviceApi.EndCommandBuffer(cb), "vkEndCommandBuffer");
        var timeline = new VkTimelineSemaphoreSubmitInfo { sType = VkStructureType.TimelineSemaphoreSubmitInfo, signalSemaphoreValueCount = 1, pSignalSemaphoreValues = &value };
        var submit = new VkSubmitInfo
        {
            sType = VkStructureType.SubmitInfo, pNext = signal.IsNull ? null : &timeline,
            commandBufferCount = 1, pCommandBuffers = &cb,
            signalSemaphoreCount = signal.IsNull ? 0u : 1u, pSignalSemaphores = &signal,
        };
        Vk.Check(DeviceApi.QueueSubmit(Queue, 1, &submit, _fences[i]), "vkQueueSubmit");
    }

    /// <summary>Waits for frame slot <paramref name="i"/>'s fence (the "present").</summary>
    public void WaitFrame(int i)
    {
        VkFence fence = _fences[i];
        Vk.Check(DeviceApi.WaitForFences(Device, 1, &fence, 1, 60_000_000_000UL), "vkWaitForFences");
    }

    public void Dispose()
    {
        DeviceApi.DeviceWaitIdle(Device);
        foreach (var f in _fences) DeviceApi.DestroyFence(Device, f, null);
        DeviceApi.DestroyCommandPool(Device, _pool, null);
        DeviceApi.DestroyDevice(Device, null);
        InstanceApi.DestroyInstance(Instance, null);
    }
}
