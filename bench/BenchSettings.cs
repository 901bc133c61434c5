using VkResNet.Runtime;

namespace VkResNet.Bench;

/// <summary>Run-wide choices made on the command line before BenchmarkDotNet builds its cases.</summary>
public static class BenchSettings
{
    /// <summary>`quick`: fewer conv shapes, the device's own kernel variant only, 3 measured iterations.</summary>
    public static bool Quick { get; set; }

    /// <summary>Kernel variants to time: both (each passes the same tests), or in quick mode only the device's.</summary>
    public static IEnumerable<KernelVariant> Variants =>
        Quick ? [BenchDevice.Device.Variant] : [KernelVariant.Cpu, KernelVariant.Gpu];
}
