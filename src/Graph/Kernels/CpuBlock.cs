using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>
/// A _cpu kernel's register block: <see cref="Rows"/> output channels by <see cref="PixelsPerLane"/> pixels per invocation,
/// 8 invocations per workgroup taking interleaved pixels (cpu_block.glsl), so a workgroup covers Rows x 8*PixelsPerLane
/// outputs. The sizes are specialization constants 1 and 2 of the kernels that take them; 8x8 is the default pipeline.
/// </summary>
public readonly record struct CpuBlock(int Rows, int PixelsPerLane)
{
    public static CpuBlock Default { get; } = new(8, 8);
    public int Columns => 8 * PixelsPerLane;

    /// <summary><paramref name="others"/> plus this block's constants (none for the default block: the same pipeline as before).</summary>
    internal SpecConstant[] With(ReadOnlySpan<SpecConstant> others) =>
        this == Default ? others.ToArray() : [.. others, SpecConstant.Int(1, Rows), SpecConstant.Int(2, PixelsPerLane)];

    public override string ToString() => $"{Rows}x{PixelsPerLane}";
}
