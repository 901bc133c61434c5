using System.Text.Json.Serialization;
using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

public enum DeviceKind { Discrete, Integrated, Virtual, Cpu, Other }

/// <summary>What VkResNet knows of a physical device: identity and the limits its kernels depend on.</summary>
public sealed record DeviceInfo
{
    public required int Index { get; init; }
    public required string Name { get; init; }
    public required uint VendorId { get; init; }
    public required string Vendor { get; init; }
    public required uint DeviceId { get; init; }
    public required DeviceKind Kind { get; init; }
    public required string DriverName { get; init; }
    public required string DriverInfo { get; init; }
    public required string DriverVersion { get; init; }
    public required string ApiVersion { get; init; }
    [JsonIgnore] public uint ApiVersionRaw { get; init; }
    public required string PipelineCacheUuid { get; init; }
    public required uint MaxWorkgroupInvocations { get; init; }
    public required uint[] MaxWorkgroupSize { get; init; }
    public required uint[] MaxWorkgroupCount { get; init; }
    public required uint MaxSharedMemoryBytes { get; init; }
    public required uint MaxPushConstantBytes { get; init; }
    public required ulong MaxStorageBufferRange { get; init; }
    public required uint MaxTexelBufferElements { get; init; }
    public required ulong MinStorageBufferOffsetAlignment { get; init; }
    public required ulong MinTexelBufferOffsetAlignment { get; init; }
    public required ulong NonCoherentAtomSize { get; init; }
    public required uint MaxBoundDescriptorSets { get; init; }
    public required uint SubgroupSize { get; init; }
    /// <summary>The subgroup sizes the device may run compute at (VkPhysicalDeviceSubgroupSizeControlProperties; both SubgroupSize without it).</summary>
    public uint MinSubgroupSize { get; init; }
    public uint MaxSubgroupSize { get; init; }
    /// <summary>The most subgroups one compute workgroup may hold (0: not reported).</summary>
    public uint MaxComputeWorkgroupSubgroups { get; init; }
    /// <summary>The subgroupSizeControl feature, with compute among requiredSubgroupSizeStages: a pipeline may require a size.</summary>
    public bool RequiredSubgroupSizeCompute { get; init; }
    /// <summary>Enabling that feature needs VK_EXT_subgroup_size_control (the instance or device is older than Vulkan 1.3).</summary>
    [JsonIgnore] public bool SubgroupSizeControlByExtension { get; init; }
    /// <summary>Compute shaders may use subgroup shuffles (VkPhysicalDeviceSubgroupProperties: compute stage, shuffle operations).</summary>
    public bool SubgroupShuffleCompute { get; init; }

    /// <summary>
    /// Whether a compute workgroup of <paramref name="invocations"/> may share values by subgroup shuffles: the device
    /// shuffles in compute and its subgroups hold the whole workgroup.
    /// </summary>
    public bool ShufflesWithin(uint invocations) => SubgroupShuffleCompute && SubgroupSize >= invocations;
    public required bool ShaderFloat16 { get; init; }
    public required bool ShaderInt8 { get; init; }
    public required bool TimelineSemaphores { get; init; }
    public required bool TimestampsSupported { get; init; }
    public required float TimestampPeriodNs { get; init; }
    public required uint TimestampValidBits { get; init; }
    public required ulong DeviceLocalBytes { get; init; }

    /// <summary>
    /// Whether a compute pipeline of <paramref name="invocations"/> per workgroup may require subgroup size <paramref name="size"/>:
    /// the device allows requests on compute, the size is a power of two in [MinSubgroupSize, MaxSubgroupSize], and the
    /// workgroup holds no more than MaxComputeWorkgroupSubgroups subgroups of it (VUID-VkPipelineShaderStageCreateInfo-pNext-02756/02757).
    /// </summary>
    public bool CanRequireSubgroupSize(uint size, uint invocations) =>
        RequiredSubgroupSizeCompute && size != 0 && (size & (size - 1)) == 0 && size >= MinSubgroupSize && size <= MaxSubgroupSize
        && (ulong)invocations <= (ulong)size * MaxComputeWorkgroupSubgroups;

    /// <summary>One line naming the device for logs and benchmark headers.</summary>
    public string Line => $"{Name} ({Vendor}, {Kind}, driver {DriverName} {DriverVersion}, Vulkan {ApiVersion})";

    public static string VendorName(uint id) => id switch
    {
        0x1002 => "AMD",
        0x1010 => "ImgTec",
        0x10DE => "NVIDIA",
        0x13B5 => "ARM",
        0x5143 => "Qualcomm",
        0x8086 => "Intel",
        0x106B => "Apple",
        0x10005 => "Mesa",
        _ => $"0x{id:X4}",
    };

    internal static DeviceKind KindOf(VkPhysicalDeviceType t) => t switch
    {
        VkPhysicalDeviceType.DiscreteGpu => DeviceKind.Discrete,
        VkPhysicalDeviceType.IntegratedGpu => DeviceKind.Integrated,
        VkPhysicalDeviceType.VirtualGpu => DeviceKind.Virtual,
        VkPhysicalDeviceType.Cpu => DeviceKind.Cpu,
        _ => DeviceKind.Other,
    };

    /// <summary>Default preference: discrete &gt; integrated &gt; virtual &gt; CPU &gt; other.</summary>
    internal int PreferenceRank => Kind switch
    {
        DeviceKind.Discrete => 0,
        DeviceKind.Integrated => 1,
        DeviceKind.Virtual => 2,
        DeviceKind.Cpu => 3,
        _ => 4,
    };

    /// <summary>Driver versions are vendor-encoded; NVIDIA and Intel (Windows) differ from the Vulkan packing.</summary>
    internal static string FormatDriverVersion(uint vendor, uint v) => vendor switch
    {
        0x10DE => $"{v >> 22 & 0x3FF}.{v >> 14 & 0xFF}.{v >> 6 & 0xFF}.{v & 0x3F}",
        0x8086 when OperatingSystem.IsWindows() => $"{v >> 14}.{v & 0x3FFF}",
        _ => VkConst.ApiVersionString(v),
    };
}
