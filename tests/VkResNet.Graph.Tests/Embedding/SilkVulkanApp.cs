using VkResNet.Runtime;
using VkResNet.Runtime.Native;

namespace VkResNet.Graph.Tests.Embedding;

/// <summary>
/// Stands in for an engine that embeds VkResNet: it creates its own VkInstance (validation and
/// synchronization validation on), picks lavapipe, creates a VkDevice with one compute queue (timeline
/// semaphores enabled or not) and a command pool, all with Silk.NET.Vulkan directly (<c>Vk.GetApi()</c>, as a
/// Silk.NET engine does), and destroys them itself. Its Silk.NET handles go to VkResNet as they are.
/// </summary>
public sealed unsafe class SilkVulkanApp : IDisposable
{
    public const uint ApiVersion = (1u << 22) | (3u << 12); // Vulkan 1.3

    public VkApi InstanceApi { get; }
    public VkInstance Instance { get; }
    public VkPhysicalDevice PhysicalDevice { get; }
    public VkApi DeviceApi { get; }
    public VkDevice Device { get; }
    public uint QueueFamily { get; }
    public VkQueue Queue { get; }
    public VkCommandPool CommandPool { get; }

    public SilkVulkanApp(bool timelineSemaphores)
    {
        byte* layer = VkStrings.Alloc(VulkanContext.ValidationLayer), ext = VkStrings.Alloc("VK_EXT_debug_utils"), name = VkStrings.Alloc("raw-app");
        try
        {
            var app = new VkApplicationInfo { SType = VkStructureType.ApplicationInfo, PApplicationName = name, ApiVersion = ApiVersion };
            var sync = VkValidationFeatureEnableEXT.SynchronizationValidationExt;
            var features = new VkValidationFeaturesEXT { SType = VkStructureType.ValidationFeaturesExt, EnabledValidationFeatureCount = 1, PEnabledValidationFeatures = &sync };
            var info = new VkInstanceCreateInfo
            {
                SType = VkStructureType.InstanceCreateInfo, PNext = &features, PApplicationInfo = &app,
                EnabledLayerCount = 1, PpEnabledLayerNames = &layer, EnabledExtensionCount = 1, PpEnabledExtensionNames = &ext,
            };
            VkInstance instance;
            InstanceApi = VkApi.GetApi();
            Vk.Check(InstanceApi.CreateInstance(&info, null, &instance), "vkCreateInstance");
            Instance = instance;
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
        QueueFamily = (uint)Array.FindIndex(families, f => (f.QueueFlags & VkQueueFlags.ComputeBit) != 0);

        float priority = 1f;
        var queueInfo = new VkDeviceQueueCreateInfo { SType = VkStructureType.DeviceQueueCreateInfo, QueueFamilyIndex = QueueFamily, QueueCount = 1, PQueuePriorities = &priority };
        var timeline = new VkPhysicalDeviceTimelineSemaphoreFeatures { SType = VkStructureType.PhysicalDeviceTimelineSemaphoreFeatures, TimelineSemaphore = true };
        var features2 = new VkPhysicalDeviceFeatures2 { SType = VkStructureType.PhysicalDeviceFeatures2, PNext = timelineSemaphores ? &timeline : null };
        var deviceInfo = new VkDeviceCreateInfo { SType = VkStructureType.DeviceCreateInfo, PNext = &features2, QueueCreateInfoCount = 1, PQueueCreateInfos = &queueInfo };
        VkDevice device;
        Vk.Check(InstanceApi.CreateDevice(PhysicalDevice, &deviceInfo, null, &device), "vkCreateDevice");
        DeviceApi = InstanceApi; // one Silk.NET Vk object for the app, as Silk.NET apps keep it
        Device = device;
        VkQueue queue;
        DeviceApi.GetDeviceQueue(device, QueueFamily, 0, &queue);
        Queue = queue;
        var poolInfo = new VkCommandPoolCreateInfo { SType = VkStructureType.CommandPoolCreateInfo, Flags = VkCommandPoolCreateFlags.ResetCommandBufferBit, QueueFamilyIndex = QueueFamily };
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
            if (VkStrings.FromFixed(props.DeviceName, 256).Contains(wanted, StringComparison.OrdinalIgnoreCase)) return d;
        }
        throw new InvalidOperationException($"No Vulkan device named like {wanted}.");
    }

    public VkCommandBuffer AllocateCommandBuffer()
    {
        var alloc = new VkCommandBufferAllocateInfo { SType = VkStructureType.CommandBufferAllocateInfo, CommandPool = CommandPool, Level = VkCommandBufferLevel.Primary, CommandBufferCount = 1 };
        VkCommandBuffer cb;
        Vk.Check(DeviceApi.AllocateCommandBuffers(Device, &alloc, &cb), "vkAllocateCommandBuffers");
        return cb;
    }

    public void Begin(VkCommandBuffer cb)
    {
        var begin = new VkCommandBufferBeginInfo { SType = VkStructureType.CommandBufferBeginInfo, Flags = VkCommandBufferUsageFlags.OneTimeSubmitBit };
        Vk.Check(DeviceApi.BeginCommandBuffer(cb, &begin), "vkBeginCommandBuffer");
    }

    public void End(VkCommandBuffer cb) => Vk.Check(DeviceApi.EndCommandBuffer(cb), "vkEndCommandBuffer");

    /// <summary>Submits one command buffer, optionally waiting on and signalling a timeline semaphore, and waits for the app's own fence.</summary>
    public void SubmitAndWait(VkCommandBuffer cb, (VkSemaphore Semaphore, ulong Value) wait = default, (VkSemaphore Semaphore, ulong Value) signal = default)
    {
        var fenceInfo = new VkFenceCreateInfo { SType = VkStructureType.FenceCreateInfo };
        VkFence fence;
        Vk.Check(DeviceApi.CreateFence(Device, &fenceInfo, null, &fence), "vkCreateFence");
        try
        {
            VkSemaphore waitSem = wait.Semaphore, signalSem = signal.Semaphore;
            ulong waitValue = wait.Value, signalValue = signal.Value;
            var stage = VkPipelineStage.AllCommandsBit;
            var timeline = new VkTimelineSemaphoreSubmitInfo
            {
                SType = VkStructureType.TimelineSemaphoreSubmitInfo,
                WaitSemaphoreValueCount = waitSem.IsNull ? 0u : 1u, PWaitSemaphoreValues = &waitValue,
                SignalSemaphoreValueCount = signalSem.IsNull ? 0u : 1u, PSignalSemaphoreValues = &signalValue,
            };
            var submit = new VkSubmitInfo
            {
                SType = VkStructureType.SubmitInfo, PNext = waitSem.IsNull && signalSem.IsNull ? null : &timeline,
                WaitSemaphoreCount = waitSem.IsNull ? 0u : 1u, PWaitSemaphores = &waitSem, PWaitDstStageMask = &stage,
                CommandBufferCount = 1, PCommandBuffers = &cb,
                SignalSemaphoreCount = signalSem.IsNull ? 0u : 1u, PSignalSemaphores = &signalSem,
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
