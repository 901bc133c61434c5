using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>
/// A _cpu kernel's register block: <see cref="Rows"/> output channels by <see cref="PixelsPerLane"/> pixels per invocation,
/// 8 invocations per workgroup taking interleaved pixels (cpu_block.glsl), so a workgroup covers Rows x 8*PixelsPerLane
/// outputs. The sizes are specialization constants 1 and 2 of the kernels that take them; 8x8 is the default pipeline.
/// </summary>
/// With <see cref="Shuffle"/> the block runs the kernel's _shuffle_cpu twin (SHUFFLE_ROWS in cpu_block.glsl): the rows'
/// operand, the same for the 8 lanes, is loaded once across them and shared by subgroup shuffles.
public readonly record struct CpuBlock(int Rows, int PixelsPerLane, bool Shuffle = false)
{
    public static CpuBlock Default { get; } = new(8, 8);
    public int Columns => 8 * PixelsPerLane;

    /// <summary>The kernel this block runs: <paramref name="plain"/> ("..._cpu"), or its "..._shuffle_cpu" twin.</summary>
    public string Kernel(string plain) => Shuffle ? plain[..^"_cpu".Length] + "_shuffle_cpu" : plain;

    /// <summary>Whether the device runs this block: any device, or for a shuffle block one whose compute shaders shuffle
    /// within subgroups that hold the workgroup's 8 invocations.</summary>
    public bool RunsOn(DeviceInfo d) => !Shuffle || d.ShufflesWithin(8);

    /// <summary><paramref name="others"/> plus this block's constants (none for the default block: the same pipeline as before).</summary>
    internal SpecConstant[] With(ReadOnlySpan<SpecConstant> others) =>
        this == Default ? others.ToArray() : [.. others, SpecConstant.Int(1, Rows), SpecConstant.Int(2, PixelsPerLane)];

    public override string ToString() => Shuffle ? $"shuffle_{Rows}x{PixelsPerLane}" : $"{Rows}x{PixelsPerLane}";
}
