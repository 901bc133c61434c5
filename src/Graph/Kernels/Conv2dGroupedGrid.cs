using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>
/// The _cpu direct forward and the flipped-weight backward input (stride 1) in the grouped grid order
/// (conv_grid_cpu.glsl, specialization constant GROUP_ROWS): channel blocks are taken a group at a time, the group as
/// large as fits a budget of weights (the slab: group x 8 rows x K floats), and each group walks every pixel block with
/// its channel blocks back to back. A pixel block's input then stays in cache across the group's channel blocks, and the
/// group's weights across the pixel blocks. direct_cpu's order is the case of one group holding every channel block: it
/// streams the whole weight matrix once per pixel block, which outgrows a core's L2 from ResNet's 256-channel 3x3 (2.4 MB).
/// One candidate per direction and slab budget (the device reports no cache sizes), NOT in <see cref="ConvCandidates.All"/>:
/// in alternating A/B runs (bench/README.md, "Grouped grid order") it never beat the fixed rules' choice or direct_cpu
/// beyond the noise. `bench -- ab` times it through <see cref="Candidate"/>; the kernel tests force it like the table's.
/// </summary>
public static class Conv2dGroupedGrid
{
    const int Rows = 8, Columns = 64;   // one _cpu workgroup's block of C (cpu_block.glsl)

    /// <summary>Channel blocks per group for a forward-shaped conv: as many 8-row weight blocks as fit the slab (at least one).</summary>
    public static int GroupRows(Conv2dShape s, long slabBytes) => (int)Math.Max(1, slabBytes / ((long)Rows * s.PatchSize * sizeof(float)));

    /// <summary>
    /// Where the order differs from direct_cpu's: more channel blocks than one group holds and more than one pixel block
    /// (batch, or a large map, makes the second; a small weight matrix keeps the whole of it in one group).
    /// </summary>
    public static bool Applies(Conv2dShape s, long slabBytes) =>
        (s.Cout + Rows - 1) / Rows > GroupRows(s, slabBytes) && (long)s.N * s.OutH * s.OutW > Columns;

    /// <summary>Stride-1 backward input, as the forward over dy with flipped, transposed weights (flip_forward_cpu).</summary>
    public static bool BackwardInputApplies(Conv2dShape s, long slabBytes) =>
        Conv2dKernels.FlipApplies(s) && Applies(Conv2dKernels.Transposed(s), slabBytes);

    /// <summary>The slab budgets measured (`bench -- ab` forms Grouped256, Grouped512), one candidate per direction each.</summary>
    public static IReadOnlyList<int> SlabsKiB { get; } = [256, 512];

    /// <summary>The candidate's name: direct_cpu_groupedNk (forward), flip_forward_cpu_groupedNk (backward input).</summary>
    public static string Name(ConvDirection direction, int slabKiB) =>
        (direction == ConvDirection.Forward ? "direct_cpu" : "flip_forward_cpu") + $"_grouped{slabKiB}k";

    /// <summary>The candidate of one direction (Forward or BackwardInput) for a slab of <paramref name="slabKiB"/> KiB.</summary>
    public static ConvCandidate Candidate(ConvDirection direction, int slabKiB)
    {
        long slab = slabKiB * 1024L;
        string order = $"channel blocks in groups of {slabKiB} KiB of weights, each group walking every pixel block";
        return direction switch
        {
            ConvDirection.Forward => new ConvCandidate(Name(direction, slabKiB), direction,
                "implicit GEMM, texel loads, 8x8 per invocation, " + order, (s, d) => Applies(s, slab), _ => 0,
                (r, s, o, f) => Conv2dKernels.DirectForward(r, s, o, f, KernelVariant.Cpu, rowsOnX: true, GroupRows(s, slab)))
            { Family = KernelVariant.Cpu },
            ConvDirection.BackwardInput => new ConvCandidate(Name(direction, slabKiB), direction,
                "flip and transpose w, then the direct_cpu forward over dy, " + order, (s, d) => BackwardInputApplies(s, slab),
                Conv2dKernels.FlipScratchBytes,
                (r, s, o, f) => Conv2dKernels.FlippedBackwardInput(r, s, o, f, KernelVariant.Cpu, GroupRows(Conv2dKernels.Transposed(s), slab)))
            { Family = KernelVariant.Cpu },
            _ => throw new ArgumentException($"The grouped grid order has no {direction} form (the backward-weight grid reduces over the batch)."),
        };
    }
}
