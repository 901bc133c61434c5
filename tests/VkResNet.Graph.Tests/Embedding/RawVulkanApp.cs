using VkResNet.Runtime;
using VkResNet.Runtime.Native;

namespace VkResNet.Graph.Tests.Embedding;

/// <summary>
/// Stands in for an engine that embeds VkResNet: it creates its own VkInstance (validation and
/// synchronization validation on), picks lavapipe, creates a VkDevice with one compute queue (timeline
/// semaphores enabled or not) and a command pool, all through the raw binding, and destroys them itself.
/// </summary>
public sealed unsafe class RawVulkanApp : IDisposable
{
    public const uint ApiVersion = (1u << 22) | (3u << 12); // Vulkan 1.3

    public VkInstanceApi InstanceApi { get; }
    public VkInstance Instance => InstanceApi.Instance;
    public VkPhysicalDevice PhysicalDevice { get; }
    public VkDeviceApi DeviceApi { get; }
    public VkDevice Device => DeviceApi.Device;
    public uint QueueFamily { get; }
    public VkQueue Queue { get; }
    public VkCommandPool CommandPool { get; }

    public RawVulkanApp(bool timelineSemaphores)
    {
        byte* layer = VkStrings.Alloc(VulkanContext.ValidationLayer), ext = VkStrings.Alloc("VK_EXT_debug_utils"), name = VkStrings.Alloc("raw-app");
        try
        {
            var app = new VkApplicationInfo { sType = VkStructureType.ApplicationInfo, pApplicationName = name, apiVersion = ApiVersion };
            int sync = VkConst.ValidationFeatureEnableSynchronization;
            var features = new VkValidationFeaturesEXT { sType = VkStructureType.ValidationFeaturesExt, enabledValidationFeatureCount = 1, pEnabledValidationFeatures = &sync };
            var info = new VkInstanceCreateInfo
            {
                sType = VkStructureType.InstanceCreateInfo, pNext = &features, pApplicationInfo = &app,
                enabledLayerCount = 1, ppEnabledLayerNames = &layer, enabledExtensionCount = 1, ppEnabledExtensionNames = &ext,
            };
            VkInstance instance;
            Vk.Check(VkInstanceApi.Global.CreateInstance(&info, null, &instance), "vkCreateInstance");
            InstanceApi = new VkInstanceApi(instance);
        }
        finally
        {
            VkStrings.Free(layer);
            VkStrings.Free(ext);
            VkStrings.Free(name);
        }

        PhysicalDevice = FindLavapipe();
        uint n = 0;
        InstanceApi.GetPhysicalDeviceQueueFamilyProperties(PhysicalDevice, &n, null);
        var families = new VkQueueFamilyProperties[n];
        fixed (VkQueueFamilyProperties* f = families) InstanceApi.GetPhysicalDeviceQueueFamilyProperties(PhysicalDevice, &n, f);
        QueueFamily = (uint)Array.FindIndex(families, f => (f.queueFlags & VkQueueFlags.Compute) != 0);

        float priority = 1f;
        var queueInfo = new VkDeviceQueueCreateInfo { sType = VkStructureType.DeviceQueueCreateInfo, queueFamilyIndex = QueueFamily, queueCount = 1, pQueuePriorities = &priority };
        var timeline = new VkPhysicalDeviceTimelineSemaphoreFeatures { sType = VkStructureType.PhysicalDeviceTimelineSemaphoreFeatures, timelineSemaphore = 1 };
        var features2 = new VkPhysicalDeviceFeatures2 { sType = VkStructureType.PhysicalDeviceFeatures2, pNext = timelineSemaphores ? &timeline : null };
        var deviceInfo = new VkDeviceCreateInfo { sType = VkStructureType.DeviceCreateInfo, pNext = &features2, queueCreateInfoCount = 1, pQueueCreateInfos = &queueInfo };
        VkDevice device;
        Vk.Check(InstanceApi.CreateDevice(PhysicalDevice, &deviceInfo, null, &device), "vkCreateDevice");
        DeviceApi = new VkDeviceApi(InstanceApi, device);
        VkQueue queue;
        DeviceApi.GetDeviceQueue(device, QueueFamily, 0, &queue);
        Queue = queue;
        var poolInfo = new VkCommandPoolCreateInfo { sType = VkStructureType.CommandPoolCreateInfo, flags = VkConst.CommandPoolResetCommandBuffer, queueFamilyIndex = QueueFamily };
        VkCommandPool pool;
        Vk.Check(DeviceApi.CreateCommandPool(device, &poolInfo, null, &pool), "vkCreateCommandPool");
        CommandPool = pool;
    }

    VkPhysicalDevice FindLavapipe()
    {
        uint n = 0;
        Vk.Check(InstanceApi.EnumeratePhysicalDevices(Instance, &n, null), "vkEnumeratePhysicalDevices");
        var devices = new VkPhysicalDevice[n];
        fixed (VkPhysicalDevice* p = devices) Vk.CheckAllow(InstanceApi.EnumeratePhysicalDevices(Instance, &n, p), "vkEnumeratePhysicalDevices");
        string wanted = Environment.GetEnvironmentVariable("VKRESNET_TEST_DEVICE") ?? "llvmpipe";
        foreach (var d in devices)
        {
            VkPhysicalDeviceProperties props;
            InstanceApi.GetPhysicalDeviceProperties(d, &props);
            if (VkStrings.FromFixed(props.deviceName, 256).Contains(wanted, StringComparison.OrdinalIgnoreCase)) return d;
        }
        throw new InvalidOperationException($"No Vulkan device named like {wanted}.");
    }

    public VkCommandBuffer AllocateCommandBuffer()
    {
        var alloc = new VkCommandBufferAllocateInfo { sType = VkStructureType.CommandBufferAllocateInfo, commandPool = CommandPool, level = VkConst.CommandBufferLevelPrimary, commandBufferCount = 1 };
        VkCommandBuffer cb;
        Vk.Check(DeviceApi.AllocateCommandBuffers(Device, &alloc, &cb), "vkAllocateCommandBuffers");
        return cb;
    }

    public void Begin(VkCommandBuffer cb)
    {
        var begin = new VkCommandBufferBeginInfo { sType = VkStructureType.CommandBufferBeginInfo, flags = VkConst.CommandBufferUsageOneTimeSubmit };
        Vk.Check(DeviceApi.BeginCommandBuffer(cb, &begin), "vkBeginCommandBuffer");
    }

    public void End(VkCommandBuffer cb) => Vk.Check(DeviceApi.EndCommandBuffer(cb), "vkEndCommandBuffer");

    /// <summary>Submits one command buffer, optionally waiting on and signalling a timeline semaphore, and waits for the app's own fence.</summary>
    public void SubmitAndWait(VkCommandBuffer cb, (VkSemaphore Semaphore, ulong Value) wait = default, (VkSemaphore Semaphore, ulong Value) signal = default)
    {
        var fenceInfo = new VkFenceCreateInfo { sType = VkStructureType.FenceCreateInfo };
        VkFence fence;
        Vk.Check(DeviceApi.CreateFence(Device, &fenceInfo, null, &fence), "vkCreateFence");
        try
        {
            VkSemaphore waitSem = wait.Semaphore, signalSem = signal.Semaphore;
            ulong waitValue = wait.Value, signalValue = signal.Value;
            var stage = VkPipelineStage.AllCommands;
            var timeline = new VkTimelineSemaphoreSubmitInfo
            {
                sType = VkStructureType.TimelineSemaphoreSubmitInfo,
                waitSemaphoreValueCount = waitSem.IsNull ? 0u : 1u, pWaitSemaphoreValues = &waitValue,
                signalSemaphoreValueCount = signalSem.IsNull ? 0u : 1u, pSignalSemaphoreValues = &signalValue,
            };
            var submit = new VkSubmitInfo
            {
                sType = VkStructureType.SubmitInfo, pNext = waitSem.IsNull && signalSem.IsNull ? null : &timeline,
                waitSemaphoreCount = waitSem.IsNull ? 0u : 1u, pWaitSemaphores = &waitSem, pWaitDstStageMask = &stage,
                commandBufferCount = 1, pCommandBuffers = &cb,
                signalSemaphoreCount = signalSem.IsNull ? 0u : 1u, pSignalSemaphores = &signalSem,
            };
            Vk.Check(DeviceApi.QueueSubmit(Queue, 1, &submit, fence), "vkQueueSubmit");
            Vk.Check(DeviceApi.WaitForFences(Device, 1, &fence, 1, 60_000_000_000UL), "vkWaitForFences");
        }
        finally
        {
            DeviceApi.DestroyFence(Device, fence, null);
        }
    }

    public void Dispose()
    {
        DeviceApi.DeviceWaitIdle(Device);
        DeviceApi.DestroyCommandPool(Device, CommandPool, null);
        DeviceApi.DestroyDevice(Device, null);
        InstanceApi.DestroyInstance(Instance, null);
    }
}
