namespace VkResNet.Runtime;

/// <summary>How to create a <see cref="Device"/>.</summary>
public sealed record DeviceOptions
{
    /// <summary>Device extensions the embedding app needs too (e.g. VK_KHR_swapchain).</summary>
    public IReadOnlyList<string> DeviceExtensions { get; init; } = [];

    /// <summary>Folder of the on-disk pipeline cache; null: ~/.cache/vkresnet (the edge applies VKRESNET_CACHE_DIR, else $XDG_CACHE_HOME/vkresnet, with <see cref="RuntimeSwitches"/>).</summary>
    public string? PipelineCacheDirectory { get; init; }

    /// <summary>Size of each VkDeviceMemory block the sub-allocator reserves.</summary>
    public long MemoryBlockBytes { get; init; } = 64L << 20;

    /// <summary>Longest a fence wait may take before it is called a hang. Null: 600 s (the edge applies VKRESNET_TIMEOUT_S).</summary>
    public TimeSpan? FenceTimeout { get; init; }

    /// <summary>Force a kernel variant; null: chosen from the device kind (the edge applies VKRESNET_KERNEL_VARIANT).</summary>
    public KernelVariant? Variant { get; init; }

    /// <summary>
    /// For <see cref="Device.FromExternal"/>: the app enabled the timelineSemaphore feature on its VkDevice.
    /// Null or false: VkResNet uses fences (a device it creates itself enables timelines whenever supported).
    /// </summary>
    public bool? TimelineSemaphoresEnabled { get; init; }

    /// <summary>
    /// For <see cref="Device.FromExternal"/>: the app enabled the subgroupSizeControl feature on its VkDevice.
    /// Null or false: VkResNet never requires a subgroup size there (a device it creates itself enables it whenever supported).
    /// </summary>
    public bool? SubgroupSizeControlEnabled { get; init; }
}

/// <summary>The family of kernel forms a device runs fastest (see docs/anchors.md: CPU devices want texel loads and no shared memory).</summary>
public enum KernelVariant { Cpu, Gpu }
