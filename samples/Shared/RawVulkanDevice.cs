using Silk.NET.Core.Native;
using Silk.NET.Vulkan;
using VulkanUnavailableException = VkResNet.Runtime.VulkanUnavailableException;

namespace VkResNet.Samples.Shared;

/// <summary>
/// The raw start-up of an app that embeds VkResNet, written once: its own Instance (validation, and optionally
/// synchronization validation, with VK_EXT_debug_utils so VkResNet's messenger can collect the layer's messages),
/// a physical device picked by name, a Device with one compute queue (timeline semaphores on or off) and a
/// resettable command pool, all with Silk.NET's <c>Vk.GetApi()</c> as a Silk.NET engine does. The app owns and
/// destroys them; their handles go to VkResNet as they are. Compiled (linked) into samples/RealtimeHost and the
/// Graph tests' embedding tests, so neither depends on the other.
/// </summary>
public sealed unsafe class RawVulkanDevice : IDisposable
{
    public static readonly uint ApiVersion = Vk.Version13;

    public Vk Vk { get; }
    public Instance Instance { get; }
    public PhysicalDevice PhysicalDevice { get; }
    public string DeviceName { get; } = "";
    public Device Device { get; }
    public uint QueueFamily { get; }
    public Queue Queue { get; }
    public CommandPool CommandPool { get; }
    /// <summary>Whether the device was created with timeline semaphores enabled.</summary>
    public bool Timelines { get; }

    /// <param name="deviceName">Part of the device name to pick (case-insensitive); null takes the first device.</param>
    /// <param name="timelines">Enable timeline semaphores (true), leave them off (false), or enable them when supported (null).</param>
    public RawVulkanDevice(string appName, string? deviceName, bool validation, bool? timelines = null, bool synchronizationValidation = false)
    {
        Vk = Vk.GetApi();
        nint name = SilkMarshal.StringToPtr(appName);
        nint layer = SilkMarshal.StringToPtr("VK_LAYER_KHRONOS_validation");
        nint debugUtils = SilkMarshal.StringToPtr("VK_EXT_debug_utils");
        try
        {
            var app = new ApplicationInfo { SType = StructureType.ApplicationInfo, PApplicationName = (byte*)name, ApiVersion = ApiVersion };
            var sync = ValidationFeatureEnableEXT.SynchronizationValidationExt;
            var features = new ValidationFeaturesEXT { SType = StructureType.ValidationFeaturesExt, EnabledValidationFeatureCount = 1, PEnabledValidationFeatures = &sync };
            var info = new InstanceCreateInfo { SType = StructureType.InstanceCreateInfo, PApplicationInfo = &app };
            if (validation)
            {
                info.PNext = synchronizationValidation ? &features : null;
                info.EnabledLayerCount = 1;
                info.PpEnabledLayerNames = (byte**)&layer;
                info.EnabledExtensionCount = 1;
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

        if (timelines == null)
        {
            var query = new PhysicalDeviceTimelineSemaphoreFeatures { SType = StructureType.PhysicalDeviceTimelineSemaphoreFeatures };
            var supported = new PhysicalDeviceFeatures2 { SType = StructureType.PhysicalDeviceFeatures2, PNext = &query };
            Vk.GetPhysicalDeviceFeatures2(PhysicalDevice, &supported);
            timelines = query.TimelineSemaphore;
        }
        Timelines = timelines.Value;

        float priority = 1f;
        var queueInfo = new DeviceQueueCreateInfo { SType = StructureType.DeviceQueueCreateInfo, QueueFamilyIndex = QueueFamily, QueueCount = 1, PQueuePriorities = &priority };
        var timeline = new PhysicalDeviceTimelineSemaphoreFeatures { SType = StructureType.PhysicalDeviceTimelineSemaphoreFeatures, TimelineSemaphore = true };
        var features2 = new PhysicalDeviceFeatures2 { SType = StructureType.PhysicalDeviceFeatures2, PNext = Timelines ? &timeline : null };
        var deviceInfo = new DeviceCreateInfo { SType = StructureType.DeviceCreateInfo, PNext = &features2, QueueCreateInfoCount = 1, PQueueCreateInfos = &queueInfo };
        Check(Vk.CreateDevice(PhysicalDevice, &deviceInfo, null, out Device device), "vkCreateDevice");
        Device = device;
        Vk.GetDeviceQueue(device, QueueFamily, 0, out Queue queue);
        Queue = queue;

        var poolInfo = new CommandPoolCreateInfo { SType = StructureType.CommandPoolCreateInfo, Flags = CommandPoolCreateFlags.ResetCommandBufferBit, QueueFamilyIndex = QueueFamily };
        Check(Vk.CreateCommandPool(device, &poolInfo, null, out CommandPool pool), "vkCreateCommandPool");
        CommandPool = pool;
    }

    public CommandBuffer AllocateCommandBuffer()
    {
        var alloc = new CommandBufferAllocateInfo { SType = StructureType.CommandBufferAllocateInfo, CommandPool = CommandPool, Level = CommandBufferLevel.Primary, CommandBufferCount = 1 };
        Check(Vk.AllocateCommandBuffers(Device, &alloc, out CommandBuffer cb), "vkAllocateCommandBuffers");
        return cb;
    }

    /// <summary>Starts recording a one-time-submit command buffer.</summary>
    public void Begin(CommandBuffer cb)
    {
        var begin = new CommandBufferBeginInfo { SType = StructureType.CommandBufferBeginInfo, Flags = CommandBufferUsageFlags.OneTimeSubmitBit };
        Check(Vk.BeginCommandBuffer(cb, &begin), "vkBeginCommandBuffer");
    }

    public void End(CommandBuffer cb) => Check(Vk.EndCommandBuffer(cb), "vkEndCommandBuffer");

    /// <summary>Submits one command buffer, optionally waiting on and signalling a timeline semaphore value, and signals <paramref name="fence"/>.</summary>
    public void Submit(CommandBuffer cb, Fence fence, (Silk.NET.Vulkan.Semaphore Semaphore, ulong Value) wait = default, (Silk.NET.Vulkan.Semaphore Semaphore, ulong Value) signal = default)
    {
        Silk.NET.Vulkan.Semaphore waitSem = wait.Semaphore, signalSem = signal.Semaphore;
        ulong waitValue = wait.Value, signalValue = signal.Value;
        bool waits = waitSem.Handle != 0, signals = signalSem.Handle != 0;
        var stage = PipelineStageFlags.AllCommandsBit;
        var timeline = new TimelineSemaphoreSubmitInfo
        {
            SType = StructureType.TimelineSemaphoreSubmitInfo,
            WaitSemaphoreValueCount = waits ? 1u : 0u, PWaitSemaphoreValues = &waitValue,
            SignalSemaphoreValueCount = signals ? 1u : 0u, PSignalSemaphoreValues = &signalValue,
        };
        var submit = new SubmitInfo
        {
            SType = StructureType.SubmitInfo, PNext = waits || signals ? &timeline : null,
            WaitSemaphoreCount = waits ? 1u : 0u, PWaitSemaphores = &waitSem, PWaitDstStageMask = &stage,
            CommandBufferCount = 1, PCommandBuffers = &cb,
            SignalSemaphoreCount = signals ? 1u : 0u, PSignalSemaphores = &signalSem,
        };
        Check(Vk.QueueSubmit(Queue, 1, &submit, fence), "vkQueueSubmit");
    }

    public Fence CreateFence(bool signaled)
    {
        var info = new FenceCreateInfo { SType = StructureType.FenceCreateInfo, Flags = signaled ? FenceCreateFlags.SignaledBit : 0 };
        Check(Vk.CreateFence(Device, &info, null, out Fence fence), "vkCreateFence");
        return fence;
    }

    /// <summary>Waits for <paramref name="fence"/> (a minute at most: a hang fails instead of blocking forever).</summary>
    public void Wait(Fence fence) => Check(Vk.WaitForFences(Device, 1, &fence, true, 60_000_000_000UL), "vkWaitForFences");

    public static void Check(Result r, string call)
    {
        if (r < 0) throw new InvalidOperationException($"{call} failed with {r}.");
    }

    public void Dispose()
    {
        Vk.DeviceWaitIdle(Device);
        Vk.DestroyCommandPool(Device, CommandPool, null);
        Vk.DestroyDevice(Device, null);
        Vk.DestroyInstance(Instance, null); // the Vk object stays: VkResNet's own loader may share its library
    }
}
