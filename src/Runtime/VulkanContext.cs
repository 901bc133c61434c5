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
    readonly VkDebugUtilsApi _debugUtils;
    readonly GCHandle _self;
    readonly ConcurrentQueue<ValidationMessage> _messages = new();
    readonly VkPhysicalDevice[] _physical;
    readonly bool _ownsInstance;
    bool _disposed;

    /// <summary>Silk.NET's API, resolved for this instance.</summary>
    public VkApi Api { get; }
    public VkInstance Instance { get; }
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

    VulkanContext(VkApi api, VkInstance instance, VkDebugUtilsApi debugUtils, bool validation, uint apiVersion, VkDebugUtilsMessengerEXT messenger, GCHandle self, bool ownsInstance = true)
    {
        _ownsInstance = ownsInstance;
        Api = api;
        Instance = instance;
        _debugUtils = debugUtils;
        ValidationEnabled = validation;
        ApiVersion = apiVersion;
        _messenger = messenger;
        _self = self;
        _physical = EnumeratePhysical(api, instance);
        Devices = _physical.Select((p, i) => DescribeDevice(api, p, i, apiVersion)).ToArray();
    }

    public static VulkanContext Create(ContextOptions? options = null)
    {
        options ??= new ContextOptions();
        VkLoader.Open(options.VulkanLibrary);
        bool validation = options.ValidationEnabled;
        uint loaderVersion = InstanceVersion();
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
                SType = VkStructureType.ApplicationInfo, PApplicationName = appName, ApplicationVersion = 1,
                PEngineName = engine, EngineVersion = 1, ApiVersion = apiVersion,
            };
            var features = stackalloc VkValidationFeatureEnableEXT[1] { VkValidationFeatureEnableEXT.SynchronizationValidationExt };
            var messengerInfo = MessengerCreateInfo(self);
            var validationFeatures = new VkValidationFeaturesEXT
            {
                SType = VkStructureType.ValidationFeaturesExt, PNext = &messengerInfo,
                EnabledValidationFeatureCount = 1, PEnabledValidationFeatures = features,
            };
            var info = new VkInstanceCreateInfo
            {
                SType = VkStructureType.InstanceCreateInfo,
                PNext = validation ? &validationFeatures : null,
                Flags = portability ? Silk.NET.Vulkan.InstanceCreateFlags.EnumeratePortabilityBitKhr : 0,
                PApplicationInfo = &app,
                EnabledLayerCount = (uint)layers.Count, PpEnabledLayerNames = layerPtrs,
                EnabledExtensionCount = (uint)extList.Length, PpEnabledExtensionNames = extPtrs,
            };
            VkInstance instance;
            VkResult r = VkLoader.Global.CreateInstance(&info, null, &instance);
            if (r == VkResult.ErrorIncompatibleDriver)
                throw new VulkanUnavailableException(NoDeviceMessage);
            Vk.Check(r, "vkCreateInstance");

            var api = VkLoader.ForInstance(instance);
            var debugUtils = new VkDebugUtilsApi(api, instance);
            VkDebugUtilsMessengerEXT messenger = default;
            if (validation)
                Vk.Check(debugUtils.CreateDebugUtilsMessengerEXT(instance, &messengerInfo, null, &messenger), "vkCreateDebugUtilsMessengerEXT");
            var ctx = new VulkanContext(api, instance, debugUtils, validation, apiVersion, messenger, self);
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
        var api = VkLoader.ForInstance(instance);
        var debugUtils = new VkDebugUtilsApi(api, instance);
        var self = GCHandle.Alloc(null, GCHandleType.Normal);
        try
        {
            VkDebugUtilsMessengerEXT messenger = default;
            if (collectValidation)
            {
                if (!debugUtils.Available)
                    throw new VulkanUnavailableException("Validation messages were asked for but the app's instance lacks VK_EXT_debug_utils.");
                var messengerInfo = MessengerCreateInfo(self);
                Vk.Check(debugUtils.CreateDebugUtilsMessengerEXT(instance, &messengerInfo, null, &messenger), "vkCreateDebugUtilsMessengerEXT");
            }
            var ctx = new VulkanContext(api, instance, debugUtils, collectValidation, apiVersion, messenger, self, ownsInstance: false);
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
    /// substring; null: discrete &gt; integrated &gt; virtual &gt; CPU (the edge passes VKRESNET_DEVICE, <see cref="RuntimeSwitches.Device"/>).
    /// </summary>
    public Device CreateDevice(string? selector = null, DeviceOptions? options = null)
    {
        DeviceInfo info = SelectDevice(selector);
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
        if (!_messenger.IsNull) _debugUtils.DestroyDebugUtilsMessengerEXT(Instance, _messenger, null);
        if (_ownsInstance) Api.DestroyInstance(Instance, null);
        if (_self.IsAllocated) _self.Free();
    }

    static VkDebugUtilsMessengerCreateInfoEXT MessengerCreateInfo(GCHandle self) => new()
    {
        SType = VkStructureType.DebugUtilsMessengerCreateInfoExt,
        MessageSeverity = VkDebugUtilsMessageSeverityFlagsEXT.WarningBitExt | VkDebugUtilsMessageSeverityFlagsEXT.ErrorBitExt,
        MessageType = VkDebugUtilsMessageTypeFlagsEXT.GeneralBitExt | VkDebugUtilsMessageTypeFlagsEXT.ValidationBitExt | VkDebugUtilsMessageTypeFlagsEXT.PerformanceBitExt,
        PfnUserCallback = new Silk.NET.Vulkan.PfnDebugUtilsMessengerCallbackEXT(&OnMessage),
        PUserData = (void*)GCHandle.ToIntPtr(self),
    };

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    static Silk.NET.Core.Bool32 OnMessage(VkDebugUtilsMessageSeverityFlagsEXT severity, VkDebugUtilsMessageTypeFlagsEXT types, VkDebugUtilsMessengerCallbackDataEXT* data, void* user)
    {
        try
        {
            var handle = GCHandle.FromIntPtr((nint)user);
            if (handle.Target is not VulkanContext ctx) return false;
            var sev = (severity & VkDebugUtilsMessageSeverityFlagsEXT.ErrorBitExt) != 0 ? ValidationSeverity.Error
                : (severity & VkDebugUtilsMessageSeverityFlagsEXT.WarningBitExt) != 0 ? ValidationSeverity.Warning : ValidationSeverity.Info;
            string id = data->PMessageIdName != null ? Marshal.PtrToStringUTF8((nint)data->PMessageIdName) ?? "" : "";
            string text = data->PMessage != null ? Marshal.PtrToStringUTF8((nint)data->PMessage) ?? "" : "";
            ctx.Report(new ValidationMessage(sev, id, text));
        }
        catch
        {
            // Never let an exception cross into the driver.
        }
        return false; // VK_FALSE: do not abort the call
    }

    static string[] InstanceLayerNames()
    {
        uint n = 0;
        Vk.Check(VkLoader.Global.EnumerateInstanceLayerProperties(&n, null), "vkEnumerateInstanceLayerProperties");
        var props = new VkLayerProperties[n];
        fixed (VkLayerProperties* p = props)
            Vk.CheckAllow(VkLoader.Global.EnumerateInstanceLayerProperties(&n, p), "vkEnumerateInstanceLayerProperties");
        var names = new string[n];
        for (int i = 0; i < n; i++)
            fixed (byte* s = props[i].LayerName) names[i] = VkStrings.FromFixed(s, 256);
        return names;
    }

    static string[] InstanceExtensionNames()
    {
        uint n = 0;
        Vk.Check(VkLoader.Global.EnumerateInstanceExtensionProperties((byte*)null, &n, null), "vkEnumerateInstanceExtensionProperties");
        var props = new VkExtensionProperties[n];
        fixed (VkExtensionProperties* p = props)
            Vk.CheckAllow(VkLoader.Global.EnumerateInstanceExtensionProperties((byte*)null, &n, p), "vkEnumerateInstanceExtensionProperties");
        var names = new string[n];
        for (int i = 0; i < n; i++)
            fixed (byte* s = props[i].ExtensionName) names[i] = VkStrings.FromFixed(s, 256);
        return names;
    }

    static uint InstanceVersion()
    {
        // vkEnumerateInstanceVersion is absent from 1.0 loaders.
        if (!VkLoader.Has(VkLoader.Global, "vkEnumerateInstanceVersion")) return VkConst.MakeApiVersion(1, 0, 0);
        uint v;
        Vk.Check(VkLoader.Global.EnumerateInstanceVersion(&v), "vkEnumerateInstanceVersion");
        return v;
    }

    static VkPhysicalDevice[] EnumeratePhysical(VkApi api, VkInstance instance)
    {
        uint n = 0;
        VkResult r = api.EnumeratePhysicalDevices(instance, &n, null);
        if (r == VkResult.ErrorInitializationFailed) return [];
        Vk.Check(r, "vkEnumeratePhysicalDevices");
        var devices = new VkPhysicalDevice[n];
        fixed (VkPhysicalDevice* p = devices)
            Vk.CheckAllow(api.EnumeratePhysicalDevices(instance, &n, p), "vkEnumeratePhysicalDevices");
        return devices[..(int)n];
    }

    internal const string SubgroupSizeControlExtension = "VK_EXT_subgroup_size_control";

    internal static string[] DeviceExtensionNames(VkApi api, VkPhysicalDevice pd)
    {
        uint n = 0;
        Vk.Check(api.EnumerateDeviceExtensionProperties(pd, (byte*)null, &n, null), "vkEnumerateDeviceExtensionProperties");
        var props = new VkExtensionProperties[n];
        fixed (VkExtensionProperties* p = props)
            Vk.CheckAllow(api.EnumerateDeviceExtensionProperties(pd, (byte*)null, &n, p), "vkEnumerateDeviceExtensionProperties");
        var names = new string[n];
        for (int i = 0; i < n; i++)
            fixed (byte* s = props[i].ExtensionName) names[i] = VkStrings.FromFixed(s, 256);
        return names;
    }

    internal static VkQueueFamilyProperties[] QueueFamilies(VkApi api, VkPhysicalDevice pd)
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
            if ((families[i].QueueFlags & VkQueueFlags.ComputeBit) == 0 || families[i].QueueCount == 0) continue;
            if (best < 0 || (families[i].QueueFlags & VkQueueFlags.GraphicsBit) != 0 && (families[best].QueueFlags & VkQueueFlags.GraphicsBit) == 0)
                best = i;
        }
        return best;
    }

    static DeviceInfo DescribeDevice(VkApi api, VkPhysicalDevice pd, int index, uint instanceVersion)
    {
        VkPhysicalDeviceProperties basic;
        api.GetPhysicalDeviceProperties(pd, &basic);
        bool v12 = basic.ApiVersion >= VkConst.MakeApiVersion(1, 2, 0);
        // Subgroup size control: core where both the instance and the device speak 1.3, else the extension where listed.
        bool sizeControlCore = Math.Min(basic.ApiVersion, instanceVersion) >= VkConst.MakeApiVersion(1, 3, 0);
        bool sizeControl = sizeControlCore || DeviceExtensionNames(api, pd).Contains(SubgroupSizeControlExtension);

        var sizeProps = new VkPhysicalDeviceSubgroupSizeControlProperties { SType = VkStructureType.PhysicalDeviceSubgroupSizeControlProperties };
        var driver = new VkPhysicalDeviceDriverProperties { SType = VkStructureType.PhysicalDeviceDriverProperties, PNext = sizeControl ? &sizeProps : null };
        var subgroup = new VkPhysicalDeviceSubgroupProperties { SType = VkStructureType.PhysicalDeviceSubgroupProperties, PNext = v12 ? &driver : null };
        var props2 = new VkPhysicalDeviceProperties2 { SType = VkStructureType.PhysicalDeviceProperties2, PNext = &subgroup };
        api.GetPhysicalDeviceProperties2(pd, &props2);
        VkPhysicalDeviceProperties p = props2.Properties;
        VkPhysicalDeviceLimits l = p.Limits;

        var f16 = new VkPhysicalDeviceShaderFloat16Int8Features { SType = VkStructureType.PhysicalDeviceShaderFloat16Int8Features };
        var timeline = new VkPhysicalDeviceTimelineSemaphoreFeatures { SType = VkStructureType.PhysicalDeviceTimelineSemaphoreFeatures, PNext = &f16 };
        var sizeFeats = new VkPhysicalDeviceSubgroupSizeControlFeatures { SType = VkStructureType.PhysicalDeviceSubgroupSizeControlFeatures };
        f16.PNext = sizeControl ? &sizeFeats : null;
        var feats = new VkPhysicalDeviceFeatures2 { SType = VkStructureType.PhysicalDeviceFeatures2, PNext = v12 ? &timeline : null };
        api.GetPhysicalDeviceFeatures2(pd, &feats);
        if (!v12) sizeControl = false;   // its structs travel on the 1.2 chains above
        bool computeSizes = sizeControl && (bool)sizeFeats.SubgroupSizeControl && (sizeProps.RequiredSubgroupSizeStages & VkShaderStageFlags.ComputeBit) != 0;

        VkPhysicalDeviceMemoryProperties mem;
        api.GetPhysicalDeviceMemoryProperties(pd, &mem);
        ulong localBytes = 0;
        for (int h = 0; h < mem.MemoryHeapCount; h++)
            if ((mem.MemoryHeaps[h].Flags & VkMemoryHeapFlags.DeviceLocalBit) != 0) localBytes += mem.MemoryHeaps[h].Size;

        var families = QueueFamilies(api, pd);
        int family = ComputeQueueFamily(families);
        uint validBits = family >= 0 ? families[family].TimestampValidBits : 0;

        string name, driverName, driverInfo;
        name = VkStrings.FromFixed(p.DeviceName, 256);
        driverName = v12 ? VkStrings.FromFixed(driver.DriverName, 256) : "";
        driverInfo = v12 ? VkStrings.FromFixed(driver.DriverInfo, 256) : "";
        string uuid = Convert.ToHexString(new ReadOnlySpan<byte>(p.PipelineCacheUuid, 16));

        return new DeviceInfo
        {
            Index = index,
            Name = name,
            VendorId = p.VendorID,
            Vendor = DeviceInfo.VendorName(p.VendorID),
            DeviceId = p.DeviceID,
            Kind = DeviceInfo.KindOf(p.DeviceType),
            DriverName = driverName,
            DriverInfo = driverInfo,
            DriverVersion = DeviceInfo.FormatDriverVersion(p.VendorID, p.DriverVersion),
            ApiVersion = VkConst.ApiVersionString(p.ApiVersion),
            ApiVersionRaw = p.ApiVersion,
            PipelineCacheUuid = uuid,
            MaxWorkgroupInvocations = l.MaxComputeWorkGroupInvocations,
            MaxWorkgroupSize = [l.MaxComputeWorkGroupSize[0], l.MaxComputeWorkGroupSize[1], l.MaxComputeWorkGroupSize[2]],
            MaxWorkgroupCount = [l.MaxComputeWorkGroupCount[0], l.MaxComputeWorkGroupCount[1], l.MaxComputeWorkGroupCount[2]],
            MaxSharedMemoryBytes = l.MaxComputeSharedMemorySize,
            MaxPushConstantBytes = l.MaxPushConstantsSize,
            MaxStorageBufferRange = l.MaxStorageBufferRange,
            MaxTexelBufferElements = l.MaxTexelBufferElements,
            MinStorageBufferOffsetAlignment = l.MinStorageBufferOffsetAlignment,
            MinTexelBufferOffsetAlignment = l.MinTexelBufferOffsetAlignment,
            NonCoherentAtomSize = l.NonCoherentAtomSize,
            MaxBoundDescriptorSets = l.MaxBoundDescriptorSets,
            SubgroupSize = subgroup.SubgroupSize,
            MinSubgroupSize = sizeControl ? sizeProps.MinSubgroupSize : subgroup.SubgroupSize,
            MaxSubgroupSize = sizeControl ? sizeProps.MaxSubgroupSize : subgroup.SubgroupSize,
            MaxComputeWorkgroupSubgroups = sizeControl ? sizeProps.MaxComputeWorkgroupSubgroups : 0,
            RequiredSubgroupSizeCompute = computeSizes,
            SubgroupShuffleCompute = (subgroup.SupportedStages & VkShaderStageFlags.ComputeBit) != 0
                                     && (subgroup.SupportedOperations & VkSubgroupFeatureFlags.ShuffleBit) != 0,
            SubgroupSizeControlByExtension = computeSizes && !sizeControlCore,
            ShaderFloat16 = v12 && (bool)f16.ShaderFloat16,
            ShaderInt8 = v12 && (bool)f16.ShaderInt8,
            TimelineSemaphores = v12 && (bool)timeline.TimelineSemaphore,
            TimestampsSupported = (bool)l.TimestampComputeAndGraphics || validBits > 0,
            TimestampPeriodNs = l.TimestampPeriod,
            TimestampValidBits = validBits,
            DeviceLocalBytes = localBytes,
        };
    }
}
