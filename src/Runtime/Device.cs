using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>
/// A logical device with one compute queue, and everything VkResNet allocates on it: memory,
/// kernels and the pipeline cache, descriptor pools, command pools, the staging ring.
/// Dispose waits for the device to go idle, then destroys in reverse order of creation.
/// Not thread-safe: one thread records and submits (the trainer and the viewer each own a device or share one thread).
/// </summary>
public sealed unsafe class Device : IDisposable
{
    readonly bool _ownsDevice;
    bool _disposed;
    StagingRing? _staging;

    public VulkanContext Context { get; }
    public DeviceInfo Info { get; }
    public VkApi Api { get; }
    public VkPhysicalDevice PhysicalDevice { get; }
    public VkDevice Handle { get; }
    public VkQueue Queue { get; }
    public uint QueueFamily { get; }
    public KernelVariant Variant { get; }
    /// <summary>Timeline semaphores are enabled on this VkDevice (ours: whenever supported; an app's: as it says in <see cref="DeviceOptions.TimelineSemaphoresEnabled"/>).</summary>
    public bool TimelineSemaphores { get; }
    /// <summary>Pipelines may require a subgroup size on this VkDevice (ours: whenever supported; an app's: as <see cref="DeviceOptions.SubgroupSizeControlEnabled"/> says).</summary>
    public bool SubgroupSizeControl { get; }
    /// <summary>False for a device wrapped with <see cref="FromExternal"/>: Dispose leaves the VkDevice alone.</summary>
    public bool OwnsDevice => _ownsDevice;
    public TimeSpan FenceTimeout { get; }
    public MemoryPool Memory { get; }
    public KernelCache Kernels { get; }
    internal DescriptorAllocator Descriptors { get; }
    internal VkCommandPool CommandPool { get; }
    internal VkPhysicalDeviceMemoryProperties MemoryProperties;

    Device(VulkanContext context, VkPhysicalDevice pd, DeviceInfo info, VkApi api, VkDevice device, VkQueue queue, uint family, bool ownsDevice, DeviceOptions options)
    {
        Context = context;
        Handle = device;
        PhysicalDevice = pd;
        Info = info;
        Api = api;
        Queue = queue;
        QueueFamily = family;
        _ownsDevice = ownsDevice;
        TimelineSemaphores = info.TimelineSemaphores && VkLoader.Has(api, "vkWaitSemaphores") && (ownsDevice || options.TimelineSemaphoresEnabled == true);
        SubgroupSizeControl = info.RequiredSubgroupSizeCompute && (ownsDevice || options.SubgroupSizeControlEnabled == true);
        Variant = options.Variant ?? (info.Kind == DeviceKind.Cpu ? KernelVariant.Cpu : KernelVariant.Gpu);
        FenceTimeout = options.FenceTimeout ?? TimeSpan.FromSeconds(600);
        VkPhysicalDeviceMemoryProperties mem;
        context.Api.GetPhysicalDeviceMemoryProperties(pd, &mem);
        MemoryProperties = mem;
        Memory = new MemoryPool(this, options.MemoryBlockBytes);
        Kernels = new KernelCache(this, options.PipelineCacheDirectory);
        Descriptors = new DescriptorAllocator(this);
        var poolInfo = new VkCommandPoolCreateInfo
        {
            SType = VkStructureType.CommandPoolCreateInfo, Flags = VkCommandPoolCreateFlags.ResetCommandBufferBit, QueueFamilyIndex = family,
        };
        VkCommandPool pool;
        Vk.Check(api.CreateCommandPool(device, &poolInfo, null, &pool), "vkCreateCommandPool");
        CommandPool = pool;
    }

    internal static Device Create(VulkanContext context, VkPhysicalDevice pd, DeviceInfo info, DeviceOptions options)
    {
        var families = VulkanContext.QueueFamilies(context.Api, pd);
        int family = VulkanContext.ComputeQueueFamily(families);
        if (family < 0) throw new VulkanUnavailableException($"{info.Name} has no compute queue.");

        string[] available = VulkanContext.DeviceExtensionNames(context.Api, pd);
        var extensions = new List<string>(options.DeviceExtensions);
        // Drivers that are not fully conformant (MoltenVK) require the portability subset to be enabled.
        if (available.Contains("VK_KHR_portability_subset")) extensions.Add("VK_KHR_portability_subset");
        if (info.SubgroupSizeControlByExtension && !extensions.Contains(VulkanContext.SubgroupSizeControlExtension))
            extensions.Add(VulkanContext.SubgroupSizeControlExtension);
        foreach (string e in extensions)
            if (!available.Contains(e)) throw new VulkanUnavailableException($"{info.Name} lacks device extension {e}.");

        float priority = 1f;
        var queueInfo = new VkDeviceQueueCreateInfo
        {
            SType = VkStructureType.DeviceQueueCreateInfo, QueueFamilyIndex = (uint)family, QueueCount = 1, PQueuePriorities = &priority,
        };
        var timeline = new VkPhysicalDeviceTimelineSemaphoreFeatures
        {
            SType = VkStructureType.PhysicalDeviceTimelineSemaphoreFeatures, TimelineSemaphore = info.TimelineSemaphores ? 1u : 0u,
        };
        // Subgroup size control, so that a kernel written for one subgroup size may require it (Kernel.RequiredSubgroupSize).
        var sizeControl = new VkPhysicalDeviceSubgroupSizeControlFeatures
        {
            SType = VkStructureType.PhysicalDeviceSubgroupSizeControlFeatures, SubgroupSizeControl = 1u,
        };
        void* chain = null;
        if (info.RequiredSubgroupSizeCompute) { sizeControl.PNext = chain; chain = &sizeControl; }
        if (info.TimelineSemaphores) { timeline.PNext = chain; chain = &timeline; }
        var features = new VkPhysicalDeviceFeatures2 { SType = VkStructureType.PhysicalDeviceFeatures2, PNext = chain };

        var extPtrs = new nint[extensions.Count];
        try
        {
            for (int i = 0; i < extensions.Count; i++) extPtrs[i] = (nint)VkStrings.Alloc(extensions[i]);
            fixed (nint* ext = extPtrs)
            {
                var deviceInfo = new VkDeviceCreateInfo
                {
                    SType = VkStructureType.DeviceCreateInfo, PNext = &features,
                    QueueCreateInfoCount = 1, PQueueCreateInfos = &queueInfo,
                    EnabledExtensionCount = (uint)extensions.Count, PpEnabledExtensionNames = (byte**)ext,
                };
                VkDevice device;
                Vk.Check(context.Api.CreateDevice(pd, &deviceInfo, null, &device), "vkCreateDevice");
                var api = VkLoader.ForDevice(context.Instance, device);
                VkQueue queue;
                api.GetDeviceQueue(device, (uint)family, 0, &queue);
                return new Device(context, pd, info, api, device, queue, (uint)family, ownsDevice: true, options);
            }
        }
        finally
        {
            foreach (nint p in extPtrs) if (p != 0) VkStrings.Free((byte*)p);
        }
    }

    /// <summary>
    /// Wraps a device the embedding app created. VkResNet neither creates nor destroys it; the app
    /// keeps it alive until this object is disposed. The queue must support compute. Submissions to
    /// the queue need external synchronisation: submit from the thread that owns the queue (or serialise).
    /// Set <see cref="DeviceOptions.TimelineSemaphoresEnabled"/> when the app enabled that feature; else fences are used.
    /// </summary>
    public static Device FromExternal(VulkanContext context, VkPhysicalDevice physicalDevice, VkDevice device, uint queueFamily, uint queueIndex, DeviceOptions? options = null)
    {
        int index = -1;
        for (int i = 0; i < context.Devices.Count; i++)
            if (context.PhysicalDevice(i) == physicalDevice) index = i;
        if (index < 0) throw new ArgumentException("The physical device does not belong to this context's instance.", nameof(physicalDevice));
        var families = VulkanContext.QueueFamilies(context.Api, physicalDevice);
        if (queueFamily >= families.Length || (families[queueFamily].QueueFlags & VkQueueFlags.ComputeBit) == 0)
            throw new ArgumentException($"Queue family {queueFamily} does not support compute.", nameof(queueFamily));
        if (device.IsNull) throw new ArgumentException("The device handle is null.", nameof(device));
        if (queueIndex >= families[queueFamily].QueueCount)
            throw new ArgumentException($"Queue family {queueFamily} has {families[queueFamily].QueueCount} queue(s); index {queueIndex} does not exist.", nameof(queueIndex));
        var api = VkLoader.ForDevice(context.Instance, device);
        VkQueue queue;
        api.GetDeviceQueue(device, queueFamily, queueIndex, &queue);
        return new Device(context, physicalDevice, context.Devices[index], api, device, queue, queueFamily, ownsDevice: false, options ?? new DeviceOptions());
    }

    /// <summary>A buffer of at least <paramref name="bytes"/> bytes (rounded up to 16), sub-allocated from the pool.</summary>
    public Buffer CreateBuffer(long bytes, MemoryKind kind = MemoryKind.DeviceLocal, string? name = null) =>
        new(this, bytes, kind, name);

    public Kernel GetKernel(string name, params SpecConstant[] spec) => Kernels.Get(name, spec);

    public BindingSet CreateBindingSet(Kernel kernel, ReadOnlySpan<BufferSlice> bindings) => new(this, kernel, BindingResource.From(bindings));

    /// <summary>A binding set mixing buffer slices and image views (<see cref="ImageView"/> for sampled or storage image bindings).</summary>
    public BindingSet CreateBindingSet(Kernel kernel, ReadOnlySpan<BindingResource> bindings) => new(this, kernel, bindings);

    /// <summary>A command list with a command buffer of its own, to submit (<c>new CommandList(device)</c> only keeps commands, to replay).</summary>
    public CommandList CreateCommandList(int timestampCapacity = 0) => new(this, timestampCapacity);

    public MemoryReport GetMemoryReport() => Memory.Report();

    StagingRing Staging => _staging ??= new StagingRing(this);

    /// <summary>Image entry points (views of and copies from an app's images): Silk's API has them with the rest, so this is <see cref="Api"/>.</summary>
    public VkApi Images => Api;

    /// <summary>Copies host data into a device buffer through the staging ring, and waits. Not for the hot path.</summary>
    public void Upload<T>(BufferSlice dst, ReadOnlySpan<T> src) where T : unmanaged => Staging.Upload(dst, System.Runtime.InteropServices.MemoryMarshal.AsBytes(src));

    /// <summary>Copies a device buffer back to the host through the staging ring, and waits. Not for the hot path.</summary>
    public void Download<T>(BufferSlice src, Span<T> dst) where T : unmanaged => Staging.Download(src, System.Runtime.InteropServices.MemoryMarshal.AsBytes(dst));

    public T[] Download<T>(BufferSlice src) where T : unmanaged
    {
        var result = new T[src.Size / System.Runtime.CompilerServices.Unsafe.SizeOf<T>()];
        Download<T>(src, result);
        return result;
    }

    public void WaitIdle() => Vk.Check(Api.DeviceWaitIdle(Handle), "vkDeviceWaitIdle");

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // On an app's device this waits for the app's work too; it happens once, at teardown.
        Api.DeviceWaitIdle(Handle);
        _staging?.Dispose();
        Descriptors.Dispose();
        Kernels.Dispose();
        Api.DestroyCommandPool(Handle, CommandPool, null);
        Memory.Dispose();
        if (_ownsDevice) Api.DestroyDevice(Handle, null);
    }
}
