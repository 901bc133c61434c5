using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>
/// The Vulkan loader, one VkInstance and, with validation on, the debug messenger that collects
/// every warning and error. Devices are created from here.
/// </summary>
public sealed unsafe class VulkanContext : IDisposable
{
    public const string ValidationLayer = "VK_LAYER_KHRONOS_validation";

    readonly VkDebugUtilsMessengerEXT _messenger;
    readonly GCHandle _self;
    readonly ConcurrentQueue<ValidationMessage> _messages = new();
    readonly VkPhysicalDevice[] _physical;
    readonly bool _ownsInstance;
    bool _disposed;

    public VkInstanceApi Api { get; }
    public VkInstance Instance => Api.Instance;
    public bool ValidationEnabled { get; }
    public uint ApiVersion { get; }
    public IReadOnlyList<DeviceInfo> Devices { get; }

    /// <summary>Warnings and errors reported since creation or the last <see cref="ClearValidationMessages"/>.</summary>
    public IReadOnlyList<ValidationMessage> ValidationMessages => _messages.ToArray();

    /// <summary>Called on the reporting thread for each message (in addition to the collected list).</summary>
    public event Action<ValidationMessage>? MessageReported;

    public void ClearValidationMessages() => _messages.Clear();

    /// <summary>False when the instance belongs to an embedding app (<see cref="FromExternal"/>): Dispose leaves it alone.</summary>
    public bool OwnsInstance => _ownsInstance;

    VulkanContext(VkInstanceApi api, bool validation, uint apiVersion, VkDebugUtilsMessengerEXT messenger, GCHandle self, bool ownsInstance = true)
    {
        _ownsInstance = ownsInstance;
        Api = api;
        ValidationEnabled = validation;
        ApiVersion = apiVersion;
        _messenger = messenger;
        _self = self;
        _physical = EnumeratePhysical(api);
        Devices = _physical.Select((p, i) => DescribeDevice(api, p, i)).ToArray();
    }

    public static VulkanContext Create(ContextOptions? options = null)
    {
        options ??= new ContextOptions();
        bool validation = options.ValidationEnabled;
        uint loaderVersion = VkInstanceApi.Global.InstanceVersion();
        uint apiVersion = Math.Min(loaderVersion, VkConst.MakeApiVersion(1, 3, 0)) & ~0xFFFu;
        if (apiVersion < VkConst.MakeApiVersion(1, 1, 0))
            throw new VulkanUnavailableException($"The Vulkan loader supports only {VkConst.ApiVersionString(loaderVersion)}; VkResNet needs 1.1 or newer.");

        var layers = new List<string>();
        var extensions = new List<string>(options.InstanceExtensions);
        string[] available = InstanceExtensionNames();
        if (validation)
        {
            if (!InstanceLayerNames().Contains(ValidationLayer))
                throw new VulkanUnavailableException($"Validation was asked for but {ValidationLayer} is not installed. On Debian: sudo apt-get install vulkan-validationlayers");
            layers.Add(ValidationLayer);
            extensions.Add("VK_EXT_debug_utils");
        }
        // Portability enumeration lets MoltenVK (macOS) devices be listed.
        bool portability = available.Contains("VK_KHR_portability_enumeration");
        if (portability) extensions.Add("VK_KHR_portability_enumeration");
        foreach (string e in extensions.Distinct())
            if (!available.Contains(e) && !(validation && e == "VK_EXT_debug_utils"))
                throw new VulkanUnavailableException($"The Vulkan loader lacks instance extension {e}.");

        var self = GCHandle.Alloc(null, GCHandleType.Normal);
        var names = new List<nint>();
        try
        {
            byte* appName = Track(VkStrings.Alloc(options.ApplicationName));
            byte* engine = Track(VkStrings.Alloc("VkResNet"));
            byte** layerPtrs = stackalloc byte*[layers.Count + 1];
            for (int i = 0; i < layers.Count; i++) layerPtrs[i] = Track(VkStrings.Alloc(layers[i]));
            var extList = extensions.Distinct().ToArray();
            byte** extPtrs = stackalloc byte*[extList.Length + 1];
            for (int i = 0; i < extList.Length; i++) extPtrs[i] = Track(VkStrings.Alloc(extList[i]));

            var app = new VkApplicationInfo
            {
                sType = VkStructureType.ApplicationInfo, pApplicationName = appName, applicationVersion = 1,
                pEngineName = engine, engineVersion = 1, apiVersion = apiVersion,
            };
            int* features = stackalloc int[1] { VkConst.ValidationFeatureEnableSynchronization };
            var messengerInfo = MessengerCreateInfo(self);
            var validationFeatures = new VkValidationFeaturesEXT
            {
                sType = VkStructureType.ValidationFeaturesExt, pNext = &messengerInfo,
                enabledValidationFeatureCount = 1, pEnabledValidationFeatures = features,
            };
            var info = new VkInstanceCreateInfo
            {
                sType = VkStructureType.InstanceCreateInfo,
                pNext = validation ? &validationFeatures : null,
                flags = portability ? 1u : 0u, // VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR
                pApplicationInfo = &app,
                enabledLayerCount = (uint)layers.Count, ppEnabledLayerNames = layerPtrs,
                enabledExtensionCount = (uint)extList.Length, ppEnabledExtensionNames = extPtrs,
            };
            VkInstance instance;
            VkResult r = VkInstanceApi.Global.CreateInstance(&info, null, &instance);
            if (r == VkResult.VK_ERROR_INCOMPATIBLE_DRIVER)
                throw new VulkanUnavailableException(NoDeviceMessage);
            Vk.Check(r, "vkCreateInstance");

            var api = new VkInstanceApi(instance);
            VkDebugUtilsMessengerEXT messenger = default;
            if (validation)
                Vk.Check(api.CreateDebugUtilsMessengerEXT(instance, &messengerInfo, null, &messenger), "vkCreateDebugUtilsMessengerEXT");
            var ctx = new VulkanContext(api, validation, apiVersion, messenger, self);
            self.Target = ctx;
            return ctx;
        }
        catch
        {
            self.Free();
            throw;
        }
        finally
        {
            foreach (nint p in names) VkStrings.Free((byte*)p);
        }

        byte* Track(byte* p) { names.Add((nint)p); return p; }
    }

    /// <summary>
    /// Wraps a VkInstance the embedding app created: the instance API is resolved through the loader,
    /// and VkResNet neither creates nor destroys the instance (the app keeps it alive until this is disposed).
    /// <paramref name="apiVersion"/> is the version the app asked for in VkApplicationInfo.
    /// With <paramref name="collectValidation"/>, a debug messenger (ours, destroyed on Dispose) collects
    /// validation messages; the app must have enabled VK_EXT_debug_utils for that.
    /// </summary>
    public static VulkanContext FromExternal(VkInstance instance, uint apiVersion, bool collectValidation = false)
    {
        if (instance.IsNull) throw new ArgumentException("The instance handle is null.", nameof(instance));
        if (apiVersion < VkConst.MakeApiVersion(1, 1, 0))
            throw new VulkanUnavailableException($"The app's instance is Vulkan {VkConst.ApiVersionString(apiVersion)}; VkResNet needs 1.1 or newer.");
        var api = new VkInstanceApi(instance);
        var self = GCHandle.Alloc(null, GCHandleType.Normal);
        try
        {
            VkDebugUtilsMessengerEXT messenger = default;
            if (collectValidation)
            {
                if (api.CreateDebugUtilsMessengerEXT == null)
                    throw new VulkanUnavailableException("Validation messages were asked for but the app's instance lacks VK_EXT_debug_utils.");
                var messengerInfo = MessengerCreateInfo(self);
                Vk.Check(api.CreateDebugUtilsMessengerEXT(instance, &messengerInfo, null, &messenger), "vkCreateDebugUtilsMessengerEXT");
            }
            var ctx = new VulkanContext(api, collectValidation, apiVersion, messenger, self, ownsInstance: false);
            self.Target = ctx;
            return ctx;
        }
        catch
        {
            self.Free();
            throw;
        }
    }

    const string NoDeviceMessage =
        "No Vulkan device found. Install a Vulkan driver (on Debian, the CPU driver lavapipe: sudo apt-get install mesa-vulkan-drivers), " +
        "and check that VK_DRIVER_FILES / VK_ICD_FILENAMES, if set, point at it.";

    /// <summary>
    /// Creates a logical device. <paramref name="selector"/> is an index or a case-insensitive name
    /// substring; null falls back to VKRESNET_DEVICE, then to discrete &gt; integrated &gt; virtual &gt; CPU.
    /// </summary>
    public Device CreateDevice(string? selector = null, DeviceOptions? options = null)
    {
        DeviceInfo info = SelectDevice(selector ?? Environment.GetEnvironmentVariable("VKRESNET_DEVICE"));
        return Device.Create(this, _physical[info.Index], info, options ?? new DeviceOptions());
    }

    public DeviceInfo SelectDevice(string? selector)
    {
        if (Devices.Count == 0) throw new VulkanUnavailableException(NoDeviceMessage);
        if (string.IsNullOrWhiteSpace(selector))
            return Devices.OrderBy(d => d.PreferenceRank).ThenBy(d => d.Index).First();
        if (int.TryParse(selector, out int index))
        {
            if (index < 0 || index >= Devices.Count)
                throw new VulkanUnavailableException($"No Vulkan device with index {index}; there {(Devices.Count == 1 ? "is 1 device" : $"are {Devices.Count} devices")}: {DeviceList()}.");
            return Devices[index];
        }
        return Devices.FirstOrDefault(d => d.Name.Contains(selector, StringComparison.OrdinalIgnoreCase))
            ?? throw new VulkanUnavailableException($"No Vulkan device matches \"{selector}\". Devices: {DeviceList()}.");
    }

    string DeviceList() => string.Join("; ", Devices.Select(d => $"{d.Index}: {d.Name}"));

    internal VkPhysicalDevice PhysicalDevice(int index) => _physical[index];

    internal void Report(ValidationMessage m)
    {
        _messages.Enqueue(m);
        MessageReported?.Invoke(m);
    }

    /// <summary>Throws a <see cref="ValidationException"/> listing every collected warning and error, then clears them.</summary>
    public void ThrowIfValidationMessages()
    {
        var list = ValidationMessages.Where(m => m.Severity >= ValidationSeverity.Warning).ToArray();
        ClearValidationMessages();
        if (list.Length > 0)
            throw new ValidationException($"{list.Length} validation message(s):\n" + string.Join("\n", list.Select(m => m.ToString())));
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_messenger.IsNull) Api.DestroyDebugUtilsMessengerEXT(Instance, _messenger, null);
        if (_ownsInstance) Api.DestroyInstance(Instance, null);
        if (_self.IsAllocated) _self.Free();
    }

    static VkDebugUtilsMessengerCreateInfoEXT MessengerCreateInfo(GCHandle self) => new()
    {
        sType = VkStructureType.DebugUtilsMessengerCreateInfoExt,
        messageSeverity = VkConst.DebugSeverityWarning | VkConst.DebugSeverityError,
        messageType = VkConst.DebugTypeGeneral | VkConst.DebugTypeValidation | VkConst.DebugTypePerformance,
        pfnUserCallback = (delegate* unmanaged<uint, uint, VkDebugUtilsMessengerCallbackDataEXT*, void*, uint>)&OnMessage,
        pUserData = (void*)GCHandle.ToIntPtr(self),
    };

    [UnmanagedCallersOnly]
    static uint OnMessage(uint severity, uint types, VkDebugUtilsMessengerCallbackDataEXT* data, void* user)
    {
        try
        {
            var handle = GCHandle.FromIntPtr((nint)user);
            if (handle.Target is not VulkanContext ctx) return 0;
            var sev = (severity & VkConst.DebugSeverityError) != 0 ? ValidationSeverity.Error
                : (severity & VkConst.DebugSeverityWarning) != 0 ? ValidationSeverity.Warning : ValidationSeverity.Info;
            string id = data->pMessageIdName != null ? Marshal.PtrToStringUTF8((nint)data->pMessageIdName) ?? "" : "";
            string text = data->pMessage != null ? Marshal.PtrToStringUTF8((nint)data->pMessage) ?? "" : "";
            ctx.Report(new ValidationMessage(sev, id, text));
        }
        catch
        {
            // Never let an exception cross into the driver.
        }
        return 0; // VK_FALSE: do not abort the call
    }

    static string[] InstanceLayerNames()
    {
        uint n = 0;
        Vk.Check(VkInstanceApi.Global.EnumerateInstanceLayerProperties(&n, null), "vkEnumerateInstanceLayerProperties");
        var props = new VkLayerProperties[n];
        fixed (VkLayerProperties* p = props)
            Vk.CheckAllow(VkInstanceApi.Global.EnumerateInstanceLayerProperties(&n, p), "vkEnumerateInstanceLayerProperties");
        var names = new string[n];
        for (int i = 0; i < n; i++)
            fixed (byte* s = props[i].layerName) names[i] = VkStrings.FromFixed(s, 256);
        return names;
    }

    static string[] InstanceExtensionNames()
    {
        uint n = 0;
        Vk.Check(VkInstanceApi.Global.EnumerateInstanceExtensionProperties(null, &n, null), "vkEnumerateInstanceExtensionProperties");
        var props = new VkExtensionProperties[n];
        fixed (VkExtensionProperties* p = props)
            Vk.CheckAllow(VkInstanceApi.Global.EnumerateInstanceExtensionProperties(null, &n, p), "vkEnumerateInstanceExtensionProperties");
        var names = new string[n];
        for (int i = 0; i < n; i++)
            fixed (byte* s = props[i].extensionName) names[i] = VkStrings.FromFixed(s, 256);
        return names;
    }

    static VkPhysicalDevice[] EnumeratePhysical(VkInstanceApi api)
    {
        uint n = 0;
        VkResult r = api.EnumeratePhysicalDevices(api.Instance, &n, null);
        if (r == VkResult.VK_ERROR_INITIALIZATION_FAILED) return [];
        Vk.Check(r, "vkEnumeratePhysicalDevices");
        var devices = new VkPhysicalDevice[n];
        fixed (VkPhysicalDevice* p = devices)
            Vk.CheckAllow(api.EnumeratePhysicalDevices(api.Instance, &n, p), "vkEnumeratePhysicalDevices");
        return devices[..(int)n];
    }

    internal static string[] DeviceExtensionNames(VkInstanceApi api, VkPhysicalDevice pd)
    {
        uint n = 0;
        Vk.Check(api.EnumerateDeviceExtensionProperties(pd, null, &n, null), "vkEnumerateDeviceExtensionProperties");
        var props = new VkExtensionProperties[n];
        fixed (VkExtensionProperties* p = props)
            Vk.CheckAllow(api.EnumerateDeviceExtensionProperties(pd, null, &n, p), "vkEnumerateDeviceExtensionProperties");
        var names = new string[n];
        for (int i = 0; i < n; i++)
            fixed (byte* s = props[i].extensionName) names[i] = VkStrings.FromFixed(s, 256);
        return names;
    }

    internal static VkQueueFamilyProperties[] QueueFamilies(VkInstanceApi api, VkPhysicalDevice pd)
    {
        uint n = 0;
        api.GetPhysicalDeviceQueueFamilyProperties(pd, &n, null);
        var families = new VkQueueFamilyProperties[n];
        fixed (VkQueueFamilyProperties* p = families) api.GetPhysicalDeviceQueueFamilyProperties(pd, &n, p);
        return families;
    }

    /// <summary>The queue family VkResNet uses: compute-capable, preferring one that also does graphics (so a viewer can present from it).</summary>
    internal static int ComputeQueueFamily(VkQueueFamilyProperties[] families)
    {
        int best = -1;
        for (int i = 0; i < families.Length; i++)
        {
            if ((families[i].queueFlags & VkQueueFlags.Compute) == 0 || families[i].queueCount == 0) continue;
            if (best < 0 || (families[i].queueFlags & VkQueueFlags.Graphics) != 0 && (families[best].queueFlags & VkQueueFlags.Graphics) == 0)
                best = i;
        }
        return best;
    }

    static DeviceInfo DescribeDevice(VkInstanceApi api, VkPhysicalDevice pd, int index)
    {
        VkPhysicalDeviceProperties basic;
        api.GetPhysicalDeviceProperties(pd, &basic);
        bool v12 = basic.apiVersion >= VkConst.MakeApiVersion(1, 2, 0);

        var driver = new VkPhysicalDeviceDriverProperties { sType = VkStructureType.PhysicalDeviceDriverProperties };
        var subgroup = new VkPhysicalDeviceSubgroupProperties { sType = VkStructureType.PhysicalDeviceSubgroupProperties, pNext = v12 ? &driver : null };
        var props2 = new VkPhysicalDeviceProperties2 { sType = VkStructureType.PhysicalDeviceProperties2, pNext = &subgroup };
        api.GetPhysicalDeviceProperties2(pd, &props2);
        VkPhysicalDeviceProperties p = props2.properties;
        VkPhysicalDeviceLimits l = p.limits;

        var f16 = new VkPhysicalDeviceShaderFloat16Int8Features { sType = VkStructureType.PhysicalDeviceShaderFloat16Int8Features };
        var timeline = new VkPhysicalDeviceTimelineSemaphoreFeatures { sType = VkStructureType.PhysicalDeviceTimelineSemaphoreFeatures, pNext = &f16 };
        var feats = new VkPhysicalDeviceFeatures2 { sType = VkStructureType.PhysicalDeviceFeatures2, pNext = v12 ? &timeline : null };
        api.GetPhysicalDeviceFeatures2(pd, &feats);

        VkPhysicalDeviceMemoryProperties mem;
        api.GetPhysicalDeviceMemoryProperties(pd, &mem);
        ulong localBytes = 0;
        for (int h = 0; h < mem.memoryHeapCount; h++)
            if ((mem.MemoryHeap(h).flags & VkMemoryHeapFlags.DeviceLocal) != 0) localBytes += mem.MemoryHeap(h).size;

        var families = QueueFamilies(api, pd);
        int family = ComputeQueueFamily(families);
        uint validBits = family >= 0 ? families[family].timestampValidBits : 0;

        string name, driverName, driverInfo;
        name = VkStrings.FromFixed(p.deviceName, 256);
        driverName = v12 ? VkStrings.FromFixed(driver.driverName, 256) : "";
        driverInfo = v12 ? VkStrings.FromFixed(driver.driverInfo, 256) : "";
        string uuid = Convert.ToHexString(new ReadOnlySpan<byte>(p.pipelineCacheUUID, 16));

        return new DeviceInfo
        {
            Index = index,
            Name = name,
            VendorId = p.vendorID,
            Vendor = DeviceInfo.VendorName(p.vendorID),
            DeviceId = p.deviceID,
            Kind = DeviceInfo.KindOf(p.deviceType),
            DriverName = driverName,
            DriverInfo = driverInfo,
            DriverVersion = DeviceInfo.FormatDriverVersion(p.vendorID, p.driverVersion),
            ApiVersion = VkConst.ApiVersionString(p.apiVersion),
            ApiVersionRaw = p.apiVersion,
            PipelineCacheUuid = uuid,
            MaxWorkgroupInvocations = l.maxComputeWorkGroupInvocations,
            MaxWorkgroupSize = [l.maxComputeWorkGroupSize[0], l.maxComputeWorkGroupSize[1], l.maxComputeWorkGroupSize[2]],
            MaxWorkgroupCount = [l.maxComputeWorkGroupCount[0], l.maxComputeWorkGroupCount[1], l.maxComputeWorkGroupCount[2]],
            MaxSharedMemoryBytes = l.maxComputeSharedMemorySize,
            MaxPushConstantBytes = l.maxPushConstantsSize,
            MaxStorageBufferRange = l.maxStorageBufferRange,
            MaxTexelBufferElements = l.maxTexelBufferElements,
            MinStorageBufferOffsetAlignment = l.minStorageBufferOffsetAlignment,
            MinTexelBufferOffsetAlignment = l.minTexelBufferOffsetAlignment,
            NonCoherentAtomSize = l.nonCoherentAtomSize,
            MaxBoundDescriptorSets = l.maxBoundDescriptorSets,
            SubgroupSize = subgroup.subgroupSize,
            ShaderFloat16 = v12 && f16.shaderFloat16 != 0,
            ShaderInt8 = v12 && f16.shaderInt8 != 0,
            TimelineSemaphores = v12 && timeline.timelineSemaphore != 0,
            TimestampsSupported = l.timestampComputeAndGraphics != 0 || validBits > 0,
            TimestampPeriodNs = l.timestampPeriod,
            TimestampValidBits = validBits,
            DeviceLocalBytes = localBytes,
        };
    }
}
