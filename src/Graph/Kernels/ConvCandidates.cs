using VkResNet.Runtime;
using static VkResNet.Graph.Kernels.ConvDirection;

namespace VkResNet.Graph.Kernels;

// The candidate registry: every implementation of a conv direction the tuner may time, in one table.
//
// To add a candidate, add ONE entry to ConvCandidates.All:
//     new("name", Direction, "algorithm in words", Applies: (shape, device) => ..., Scratch: shape => bytes,
//         Record: (r, shape, operands, flags) => YourKernels.Launch(r, shape, operands, flags)),
// - name: unique within its direction; it is what the tuning cache stores and `vkresnet graph --kernels` prints,
//   so renaming a candidate retunes the keys that chose it (the cache ignores names it does not know).
// - Applies: the shapes (and device features, from DeviceInfo) it computes correctly; it is never asked to run elsewhere.
// - Scratch: the bytes of the graph's shared scratch slice it needs (0: none); operands.Scratch holds at least that.
// - Record: records its dispatches; flags carry the epilogue (bias, residual, relu) and Accumulate (+= into Out).
// The first entry of each direction is the reference the tuner checks the others against; it must apply to every shape.
// `Conv2dKernelTests` forces every entry on the odd-shape tables against the CPU reference: a new entry is tested there
// without further work. ConvCandidates.Rules is today's fixed choice, used with tuning off and for untuned keys.

/// <summary>Which of the three conv passes a kernel computes.</summary>
public enum ConvDirection { Forward, BackwardInput, BackwardWeight }

/// <summary>What the tuner keys a choice by: the pass, its shape and its epilogue/accumulate flags.</summary>
public readonly record struct ConvKey(ConvDirection Direction, Conv2dShape Shape, Conv2dFlags Flags = Conv2dFlags.None)
{
    /// <summary>A stable one-line form, the tuning cache's key.</summary>
    public override string ToString()
    {
        var s = Shape;
        string dir = Direction switch { Forward => "fwd", BackwardInput => "bwd-input", _ => "bwd-weight" };
        return $"{dir} n{s.N} c{s.Cin} {s.H}x{s.W} o{s.Cout} k{s.KernelH}x{s.KernelW} s{s.StrideH}x{s.StrideW} p{s.PadH}x{s.PadW} f{(uint)Flags}";
    }

    /// <summary>Elements of operands A, B and Out (see <see cref="ConvOperands"/>).</summary>
    public (long A, long B, long Out) Elements => Direction switch
    {
        Forward => (Shape.InputElements, Shape.WeightElements, Shape.OutputElements),
        BackwardInput => (Shape.OutputElements, Shape.WeightElements, Shape.InputElements),
        _ => (Shape.OutputElements, Shape.InputElements, Shape.WeightElements),
    };

    /// <summary>The reduction length of one output: what the rounding error grows with (<see cref="ConvTolerance"/>).</summary>
    public long ReductionLength => Direction switch
    {
        Forward => Shape.PatchSize,
        BackwardInput => (long)Shape.Cout * Shape.KernelH * Shape.KernelW,
        _ => (long)Shape.N * Shape.OutH * Shape.OutW,
    };
}

/// <summary>
/// The slices of one conv pass. Forward: A = x, B = w, Out = y (Bias, Residual as the flags say).
/// Backward input: A = dy, B = w, Out = dx. Backward weight: A = dy, B = x, Out = dw.
/// </summary>
public readonly record struct ConvOperands(BufferSlice A, BufferSlice B, BufferSlice Out, BufferSlice? Scratch = null,
                                           BufferSlice? Bias = null, BufferSlice? Residual = null);

/// <summary>Records one candidate's dispatches for a pass.</summary>
public delegate void ConvLaunch(CommandRecorder r, Conv2dShape s, ConvOperands o, Conv2dFlags flags);

/// <summary>
/// One implementation of a conv direction: an algorithm with its load path, blocking, grid order and split.
/// ErrorScale multiplies <see cref="ConvTolerance.Atol"/> for it (tests and the tuner's check): 1 for the direct forms,
/// more for a transform whose fp32 rounding error is larger by construction (Winograd F(4x4,3x3)).
/// </summary>
public sealed record ConvCandidate(string Name, ConvDirection Direction, string Algorithm,
                                   Func<Conv2dShape, DeviceInfo, bool> Applies, Func<Conv2dShape, long> Scratch, ConvLaunch Record,
                                   double ErrorScale = 1)
{
    /// <summary>
    /// The kernel family it is written for (null: any). The tuner times it only for graphs of that variant: a CPU-type
    /// device runs the _gpu tile sets correctly (the kernel tests force them there) but 20-100x slower than its own forms,
    /// and timing them there spent the tuning budget.
    /// </summary>
    public KernelVariant? Family { get; init; }

    /// <summary>
    /// The kind of device a form of no <see cref="Family"/> was written for (the first shared-memory _gpu forms): timed on
    /// every device, but on another variant's graph one far loss on a direction's first key skips it on that direction's
    /// later keys, where a form of the graph's own kind needs three (<see cref="Tuning.KernelTuner"/>). On lavapipe these
    /// took 10-40x the _cpu forms' time, and their runs on ResNet-20's first three training keys were a third of its tuning.
    /// </summary>
    public KernelVariant? WrittenFor { get; init; }

    /// <summary>
    /// The name of a candidate of the same direction that measured faster wherever both apply (a plain _cpu block's _shuffle
    /// twin): where that one applies too, the tuner does not time this one (<see cref="ConvCandidates.Applicable"/>), which
    /// saves its first-run compile on every key. It stays in the table, forced by the kernel tests and timed elsewhere.
    /// </summary>
    public string? SupersededBy { get; init; }

    public override string ToString() => Name;
}

/// <summary>The fp32-against-reference tolerance of the conv kernels (the kernel tests' and the tuner's check).</summary>
public static class ConvTolerance
{
    /// <summary>Absolute tolerance: fp32 sums of <paramref name="k"/> products of values in [-1, 1] drift with k.</summary>
    public static double Atol(long k) => 1e-5 + 2e-7 * k;
    public const double Rtol = 1e-4;
}

/// <summary>The conv candidates (see the comment at the top of this file for how to add one) and today's fixed rules.</summary>
public static class ConvCandidates
{
    static readonly Func<Conv2dShape, long> NoScratch = _ => 0;
    static bool Everywhere(Conv2dShape s, DeviceInfo d) => true;
    static bool Has(Conv2dFlags f, Conv2dFlags bit) => (f & bit) != 0;
    // The _gpu forms stage 64x64 tiles in shared memory with 256 invocations per workgroup.
    static bool SharedTiles(Conv2dShape s, DeviceInfo d) => d.MaxWorkgroupInvocations >= 256 && d.MaxSharedMemoryBytes >= 16 * 1024;
    // The taps backward-weight forms split the batch until this many workgroups exist (16 cores' worth, several each).
    const int TapsGroups = 64;
    // Register blocks of the _cpu implicit-GEMM kernels besides their default 8x8 (specialization constants 1 and 2, see
    // CpuBlock). More rows per invocation reuse each gathered input texel across more output channels, which is what
    // bounds these kernels on llvmpipe; measured with `bench -- ab candidates=...` (bench/README.md, "Register blocks"),
    // only the sizes that won somewhere are candidates: each one costs tuning time on every key it applies to, and on a
    // driver that compiles at first dispatch a compile per machine (the forward 64x8 took 27-30 s on a cold llvmpipe cache,
    // a third of ResNet-50's first tuning, for wins of at most 10% over 16x8 or 32x8 on a few layers: not a candidate).
    static readonly CpuBlock B16 = new(16, 8), B32 = new(32, 8), B64 = new(64, 8);
    // 7 pixels a lane: 56-column workgroups, for maps whose N*OH*OW leaves much of the last 64-column workgroup empty
    // (7x7 and 14x14 at batch 1: 49 and 196 columns fill 77% of 64-column workgroups, 88% of 56-column ones; 28x28 94%
    // and 100%). Only there is it a candidate (FillsBetter), so other keys pay no tuning time for it.
    static readonly CpuBlock B32x7 = new(32, 7);
    static double Filled(long columns, int perGroup) => (double)columns / ((columns + perGroup - 1) / perGroup * perGroup);
    static bool FillsBetter(Conv2dShape s, CpuBlock b, CpuBlock than)
    {
        long columns = (long)s.N * s.OutH * s.OutW;
        return Filled(columns, b.Columns) >= Filled(columns, than.Columns) + 0.05;
    }
    // Each block of the forward, flipped, phase-GEMM and backward-weight kernels also as its _shuffle twin (CpuBlock.Shuffle:
    // the rows' operand loaded once across the workgroup and shared by subgroup shuffles), where the device shuffles.
    static CpuBlock[] AndShuffled(params CpuBlock[] blocks) => [.. blocks, .. blocks.Select(b => b with { Shuffle = true })];
    static readonly CpuBlock[] ForwardBlocks = AndShuffled(B16, B32), FlipBlocks = AndShuffled(B16, B32), PhaseBlocks = [B64],
        WeightBlocks = AndShuffled(B32, B64), PhaseGemmBlocks = AndShuffled(B16, B32, B64), Dy4Blocks = AndShuffled(B32, B64);
    static readonly CpuBlock[] Forward56Blocks = AndShuffled(B32x7);
    // A plain block's twin by name (null for a twin itself): on lavapipe the twin measured faster on every layer of the bench
    // set, each direction (bench/README.md, "Subgroup shuffles"), so where the twin applies the tuner times it alone.
    static string? ShuffleTwin(string prefix, CpuBlock b) => b.Shuffle ? null : prefix + (b with { Shuffle = true });
    // The 1x1 GEMM's shuffle twin at 16 rows only: at 32 it measured 1.0-1.5x the plain 8x8 form on ResNet-18/50's 1x1 layers
    // at batch 1, where 16 rows measured 0.73-1.0x.
    static readonly CpuBlock[] Gemm1x1ShuffleBlocks = [B16 with { Shuffle = true }], Gemm1x1Blocks = [B16, .. Gemm1x1ShuffleBlocks];
    // Channels per invocation of the row-run forms (Conv2dRowsForward); the run length follows the map width.
    static readonly int[] RowBlocks = [16, 32];

    /// <summary>
    /// The kernel set a tuning cache is made for: the shaders' hash (<see cref="ShaderLibrary.SetHash"/>) and this table's
    /// (each candidate's direction, name and algorithm), so a candidate added, dropped or reblocked in C# alone, with every
    /// shader unchanged, is timed on the next run instead of the cache's old choice standing.
    /// </summary>
    public static string KernelSetHash()
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var c in All)
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{c.Direction}\0{c.Name}\0{c.Algorithm}\n"));
        return $"{ShaderLibrary.SetHash()}-{Convert.ToHexString(sha.GetHashAndReset())[..8].ToLowerInvariant()}";
    }

    public static IReadOnlyList<ConvCandidate> All { get; } =
    [
        // Forward. Reference first.
        new("direct_cpu", Forward, "implicit GEMM, texel loads, 8x8 per invocation, channel blocks on x", Everywhere, NoScratch,
            (r, s, o, f) => Conv2dKernels.DirectForward(r, s, o, f, KernelVariant.Cpu, rowsOnX: true)),
        new("direct_cpu_pixels_x", Forward, "implicit GEMM, texel loads, 8x8 per invocation, pixel blocks on x", Everywhere, NoScratch,
            (r, s, o, f) => Conv2dKernels.DirectForward(r, s, o, f, KernelVariant.Cpu, rowsOnX: false)),
        .. ForwardBlocks.Select(b => new ConvCandidate($"direct_cpu_{b}", Forward,
            $"implicit GEMM, texel loads, {b.Rows} channels x {b.PixelsPerLane} pixels per invocation, channel blocks on x",
            (s, d) => s.Cout >= b.Rows && b.RunsOn(d), NoScratch, (r, s, o, f) => Conv2dKernels.DirectForward(r, s, o, f, KernelVariant.Cpu, rowsOnX: true, b)) { Family = KernelVariant.Cpu, SupersededBy = ShuffleTwin("direct_cpu_", b) }),
        .. Forward56Blocks.Select(b => new ConvCandidate($"direct_cpu_{b}", Forward, $"implicit GEMM, texel loads, {b.Rows} channels x {b.PixelsPerLane} pixels per invocation (56-column workgroups), channel blocks on x",
            (s, d) => s.Cout >= b.Rows && b.RunsOn(d) && FillsBetter(s, b, B32), NoScratch,
            (r, s, o, f) => Conv2dKernels.DirectForward(r, s, o, f, KernelVariant.Cpu, rowsOnX: true, b)) { Family = KernelVariant.Cpu, SupersededBy = ShuffleTwin("direct_cpu_", b) }),
        .. RowBlocks.Select(rows => new ConvCandidate($"rows_cpu_{rows}", Forward,
            $"3x3: {rows} channels x a run of outputs along one row per invocation (each x texel feeds 3 taps), rearranged vec4 weights shared by subgroup shuffles",
            (s, d) => Conv2dRowsForward.Applies(s, rows, d), s => Conv2dRowsForward.ScratchBytes(s, rows), Conv2dRowsForward.Forward(rows))
            { Family = KernelVariant.Cpu }),
        new("direct_gpu", Forward, "implicit GEMM, 64x64 shared-memory tiles", SharedTiles, NoScratch,
            (r, s, o, f) => Conv2dKernels.DirectForward(r, s, o, f, KernelVariant.Gpu, rowsOnX: false)) { WrittenFor = KernelVariant.Gpu },
        new("winograd_f2x2", Forward, "Winograd F(2x2,3x3): weight and input transforms, GEMMs fused with the output transform",
            (s, d) => Conv2dKernels.WinogradApplies(s), Conv2dKernels.WinogradScratchBytes, Conv2dKernels.WinogradForward),
        new("winograd_f4x4", Forward, "Winograd F(4x4,3x3): weight and input transforms (6x6 tiles), 36 GEMMs, output transform fused with the epilogue",
            (s, d) => Conv2dWinograd4.Applies(s), Conv2dWinograd4.ScratchBytes, Conv2dWinograd4.Forward, Conv2dWinograd4.ErrorScale),
        new("winograd_fused_f2x2", Forward, "Winograd F(2x2,3x3), input transform fused into the GEMM, 8 channels x 2 tiles per invocation",
            (s, d) => Conv2dWinogradFused.Applies(s), Conv2dWinogradFused.ScratchBytes, Conv2dWinogradFused.Forward(8, 2), Conv2dWinogradFused.ErrorScale),
        new("gemm_1x1_cpu", Forward, "1x1 conv as a plain GEMM, texel loads, x read at the stride (vec4 where it may)",
            (s, d) => Conv2d1x1Gemm.Applies(s, KernelVariant.Cpu), NoScratch,
            (r, s, o, f) => Conv2d1x1Gemm.Forward(r, s, o.A, o.B, Has(f, Conv2dFlags.Bias) ? o.Bias : null, Has(f, Conv2dFlags.Residual) ? o.Residual : null,
                                                  o.Out, Has(f, Conv2dFlags.Relu), Has(f, Conv2dFlags.Accumulate))),
        .. Gemm1x1Blocks.Select(b => new ConvCandidate($"gemm_1x1_cpu_{b}", Forward, $"gemm_1x1_cpu with {b.Rows} channels x {b.PixelsPerLane} pixels per invocation",
            (s, d) => Conv2d1x1Gemm.Applies(s, KernelVariant.Cpu) && s.Cout >= b.Rows && b.RunsOn(d), NoScratch,
            (r, s, o, f) => Conv2d1x1Gemm.Forward(r, s, o.A, o.B, Has(f, Conv2dFlags.Bias) ? o.Bias : null, Has(f, Conv2dFlags.Residual) ? o.Residual : null,
                                                  o.Out, Has(f, Conv2dFlags.Relu), Has(f, Conv2dFlags.Accumulate), b)) { Family = KernelVariant.Cpu, SupersededBy = ShuffleTwin("gemm_1x1_cpu_", b) }),

        // Backward input. Reference first.
        new("phases_cpu", BackwardInput, "implicit GEMM per stride phase, texel loads, channel blocks on x", Everywhere, NoScratch,
            (r, s, o, f) => Conv2dKernels.PhasedBackwardInput(r, s, o, f, KernelVariant.Cpu, rowsOnX: true)),
        new("phases_cpu_pixels_x", BackwardInput, "implicit GEMM per stride phase, texel loads, pixel blocks on x", Everywhere, NoScratch,
            (r, s, o, f) => Conv2dKernels.PhasedBackwardInput(r, s, o, f, KernelVariant.Cpu, rowsOnX: false)),
        .. PhaseBlocks.Select(b => new ConvCandidate($"phases_cpu_{b}", BackwardInput,
            $"implicit GEMM per stride phase, texel loads, {b.Rows} channels x {b.PixelsPerLane} pixels per invocation, channel blocks on x",
            (s, d) => s.Cin >= b.Rows, NoScratch, (r, s, o, f) => Conv2dKernels.PhasedBackwardInput(r, s, o, f, KernelVariant.Cpu, rowsOnX: true, b))
            { Family = KernelVariant.Cpu }),
        new("phases_gpu", BackwardInput, "implicit GEMM per stride phase, 64x64 shared-memory tiles", SharedTiles, NoScratch,
            (r, s, o, f) => Conv2dKernels.PhasedBackwardInput(r, s, o, f, KernelVariant.Gpu, rowsOnX: false)) { WrittenFor = KernelVariant.Gpu },
        new("flip_forward_cpu", BackwardInput, "flip and transpose w, then the direct_cpu forward over dy",
            (s, d) => Conv2dKernels.FlipApplies(s), Conv2dKernels.FlipScratchBytes,
            (r, s, o, f) => Conv2dKernels.FlippedBackwardInput(r, s, o, f, KernelVariant.Cpu)),
        .. FlipBlocks.Select(b => new ConvCandidate($"flip_forward_cpu_{b}", BackwardInput,
            $"flip and transpose w, then the direct_cpu_{b} forward over dy",
            (s, d) => Conv2dKernels.FlipApplies(s) && s.Cin >= b.Rows && b.RunsOn(d), Conv2dKernels.FlipScratchBytes,
            (r, s, o, f) => Conv2dKernels.FlippedBackwardInput(r, s, o, f, KernelVariant.Cpu, b)) { Family = KernelVariant.Cpu, SupersededBy = ShuffleTwin("flip_forward_cpu_", b) }),
        .. RowBlocks.Select(rows => new ConvCandidate($"flip_rows_cpu_{rows}", BackwardInput,
            $"3x3 stride 1: the rows_cpu_{rows} forward over dy, the weight rearrangement reading w flipped and transposed",
            (s, d) => Conv2dRowsForward.BackwardInputApplies(s, rows, d), s => Conv2dRowsForward.BackwardInputScratchBytes(s, rows),
            Conv2dRowsForward.BackwardInput(rows)) { Family = KernelVariant.Cpu }),
        new("flip_forward_gpu", BackwardInput, "flip and transpose w, then the direct_gpu forward over dy",
            (s, d) => Conv2dKernels.FlipApplies(s) && SharedTiles(s, d), Conv2dKernels.FlipScratchBytes,
            (r, s, o, f) => Conv2dKernels.FlippedBackwardInput(r, s, o, f, KernelVariant.Gpu)) { WrittenFor = KernelVariant.Gpu },
        new("flip_winograd_f2x2", BackwardInput, "Winograd F(2x2,3x3) forward over dy, the weight transform reading w flipped",
            (s, d) => Conv2dKernels.FlipApplies(s) && Conv2dKernels.WinogradApplies(Conv2dKernels.Transposed(s)),
            s => Conv2dKernels.WinogradScratchBytes(Conv2dKernels.Transposed(s)), Conv2dKernels.WinogradBackwardInput),
        new("flip_winograd_f4x4", BackwardInput, "Winograd F(4x4,3x3) forward over dy, the weight transform reading w flipped",
            (s, d) => Conv2dWinograd4.BackwardInputApplies(s), Conv2dWinograd4.BackwardInputScratchBytes, Conv2dWinograd4.BackwardInput,
            Conv2dWinograd4.ErrorScale),
        new("flip_winograd_fused_f2x2", BackwardInput, "fused Winograd F(2x2,3x3) forward over dy, the weight transform reading w flipped, 8 channels x 2 tiles",
            (s, d) => Conv2dWinogradFused.BackwardInputApplies(s), Conv2dWinogradFused.BackwardInputScratchBytes, Conv2dWinogradFused.BackwardInput(8, 2),
            Conv2dWinogradFused.ErrorScale),
        new("gemm_1x1_cpu", BackwardInput, "1x1 conv as a plain GEMM over transposed w, dx written at the stride (empty positions zeroed)",
            (s, d) => Conv2d1x1Gemm.Applies(s, KernelVariant.Cpu), Conv2d1x1Gemm.ScratchBytes,
            (r, s, o, f) => Conv2d1x1Gemm.BackwardInput(r, s, o.A, o.B, o.Out, o.Scratch!.Value, Has(f, Conv2dFlags.Accumulate))),
        .. Gemm1x1ShuffleBlocks.Select(b => new ConvCandidate($"gemm_1x1_cpu_{b}", BackwardInput, $"gemm_1x1_cpu with {b.Rows} channels x {b.PixelsPerLane} pixels per invocation",
            (s, d) => Conv2d1x1Gemm.Applies(s, KernelVariant.Cpu) && s.Cin >= b.Rows && b.RunsOn(d), Conv2d1x1Gemm.ScratchBytes,
            (r, s, o, f) => Conv2d1x1Gemm.BackwardInput(r, s, o.A, o.B, o.Out, o.Scratch!.Value, Has(f, Conv2dFlags.Accumulate), b)) { Family = KernelVariant.Cpu }),
        new("phase_gemm_cpu", BackwardInput, "one flat GEMM per stride phase over rearranged weights, vec4 weight loads, empty phases zero-filled",
            (s, d) => Conv2dPhaseBackwardInput.Applies(s, KernelVariant.Cpu), Conv2dPhaseBackwardInput.ScratchBytes,
            (r, s, o, f) => Conv2dPhaseBackwardInput.BackwardInput(r, s, o.A, o.B, o.Out, o.Scratch!.Value, Has(f, Conv2dFlags.Accumulate))),
        .. PhaseGemmBlocks.Select(b => new ConvCandidate($"phase_gemm_cpu_{b}", BackwardInput, $"phase_gemm_cpu with {b.Rows} channels x {b.PixelsPerLane} pixels per invocation",
            (s, d) => Conv2dPhaseBackwardInput.Applies(s, KernelVariant.Cpu) && s.Cin >= b.Rows && b.RunsOn(d), Conv2dPhaseBackwardInput.ScratchBytes,
            (r, s, o, f) => Conv2dPhaseBackwardInput.BackwardInput(r, s, o.A, o.B, o.Out, o.Scratch!.Value, Has(f, Conv2dFlags.Accumulate), b))
            { Family = KernelVariant.Cpu, SupersededBy = ShuffleTwin("phase_gemm_cpu_", b) }),

        // Backward weight. Reference first.
        new("direct_cpu", BackwardWeight, "implicit GEMM over batch and space, texel loads, one pass", Everywhere, NoScratch,
            (r, s, o, f) => Conv2dKernels.DirectBackwardWeight(r, s, o, f, KernelVariant.Cpu)),
        .. WeightBlocks.Select(b => new ConvCandidate($"direct_cpu_{b}", BackwardWeight,
            $"implicit GEMM over batch and space, texel loads, one pass, {b.Rows} channels x {b.PixelsPerLane} patch entries per invocation",
            (s, d) => s.Cout >= b.Rows && b.RunsOn(d), NoScratch, (r, s, o, f) => Conv2dKernels.DirectBackwardWeight(r, s, o, f, KernelVariant.Cpu, b)) { Family = KernelVariant.Cpu, SupersededBy = ShuffleTwin("direct_cpu_", b) }),
        new("dy4_cpu", BackwardWeight, "implicit GEMM over batch and space reading dy four outputs at a time, texel loads",
            (s, d) => Conv2dBackwardWeightDy4.Applies(s, KernelVariant.Cpu), NoScratch,
            (r, s, o, f) => Conv2dBackwardWeightDy4.BackwardWeight(r, s, o.A, o.B, o.Out, null, Has(f, Conv2dFlags.Accumulate))),
        .. Dy4Blocks.Select(b => new ConvCandidate($"dy4_cpu_{b}", BackwardWeight, $"dy4_cpu with {b.Rows} channels x {b.PixelsPerLane} patch entries per invocation",
            (s, d) => Conv2dBackwardWeightDy4.Applies(s, KernelVariant.Cpu) && s.Cout >= b.Rows && b.RunsOn(d), NoScratch,
            (r, s, o, f) => Conv2dBackwardWeightDy4.BackwardWeight(r, s, o.A, o.B, o.Out, null, Has(f, Conv2dFlags.Accumulate), b)) { Family = KernelVariant.Cpu, SupersededBy = ShuffleTwin("dy4_cpu_", b) }),
        new("direct_gpu", BackwardWeight, "implicit GEMM over batch and space, 64x64 shared-memory tiles, one pass", SharedTiles, NoScratch,
            (r, s, o, f) => Conv2dKernels.DirectBackwardWeight(r, s, o, f, KernelVariant.Gpu)) { WrittenFor = KernelVariant.Gpu },
        new("splitk_gpu", BackwardWeight, "64x64 shared-memory tiles, split-K slices plus a fixed-order reduce",
            (s, d) => SharedTiles(s, d) && Conv2dKernels.SplitK(s).Slices > 1, Conv2dKernels.SplitKScratchBytes, Conv2dKernels.SplitKBackwardWeight)
            { WrittenFor = KernelVariant.Gpu },
        new("taps8_cpu", BackwardWeight, "3x3: 8 output channels x the 9 taps of one input channel per invocation, texel loads, split by images into a fixed-order reduce",
            (s, d) => Conv2dBackwardWeightTaps.Applies(s, KernelVariant.Cpu), s => Conv2dBackwardWeightTaps.ScratchBytes(s, 8, TapsGroups),
            (r, s, o, f) => Conv2dBackwardWeightTaps.BackwardWeight(r, s, o.A, o.B, o.Out, o.Scratch, Has(f, Conv2dFlags.Accumulate), 8, TapsGroups))
            { SupersededBy = "taps8_shuffle_cpu" },
        // 8 rows only: with 4 the shuffle form measured 1.3-1.6x taps8_shuffle_cpu's time on every ResNet-20 layer (batch 128).
        new("taps8_shuffle_cpu", BackwardWeight, "taps8_cpu with the dy rows loaded once across the workgroup and shared by subgroup shuffles",
            (s, d) => Conv2dBackwardWeightTaps.ShuffleApplies(s, KernelVariant.Cpu, d), s => Conv2dBackwardWeightTaps.ScratchBytes(s, 8, TapsGroups),
            (r, s, o, f) => Conv2dBackwardWeightTaps.BackwardWeight(r, s, o.A, o.B, o.Out, o.Scratch, Has(f, Conv2dFlags.Accumulate), 8, TapsGroups, shuffle: true))
            { Family = KernelVariant.Cpu },
        new("taps4_cpu", BackwardWeight, "3x3: 4 output channels x the 9 taps of one input channel per invocation, texel loads, split by images into a fixed-order reduce",
            (s, d) => Conv2dBackwardWeightTaps.Applies(s, KernelVariant.Cpu), s => Conv2dBackwardWeightTaps.ScratchBytes(s, 4, TapsGroups),
            (r, s, o, f) => Conv2dBackwardWeightTaps.BackwardWeight(r, s, o.A, o.B, o.Out, o.Scratch, Has(f, Conv2dFlags.Accumulate), 4, TapsGroups)),

        // The _gpu tile sets (Conv2dTiledGpu, gemm_tile_gpu.glsl's specialization constants): register-blocked shared-memory
        // tiles at several sizes, split-K for long reductions, and the 64x64 tile at the device's smallest and largest
        // subgroup sizes where it may require them (each applies only where its tile fits the device's limits).
        Conv2dTiledGpu.Candidate("tile32x32_r4x4_gpu", Forward, GpuTile.Small),
        Conv2dTiledGpu.Candidate("tile128x64_r8x4_gpu", Forward, GpuTile.Tall),
        Conv2dTiledGpu.Candidate("tile128x128_r8x8_gpu", Forward, GpuTile.Large),
        Conv2dTiledGpu.Candidate("splitk_gpu", Forward, GpuTile.Default, splitK: true),
        Conv2dTiledGpu.Candidate("splitk_t32x32_r4x4_gpu", Forward, GpuTile.Small, splitK: true),
        Conv2dTiledGpu.Candidate("tile64x64_r4x4_sgmin_gpu", Forward, GpuTile.Default, SubgroupPick.Min),
        Conv2dTiledGpu.Candidate("tile64x64_r4x4_sgmax_gpu", Forward, GpuTile.Default, SubgroupPick.Max),
        Conv2dTiledGpu.Candidate("tile32x32_r4x4_gpu", BackwardInput, GpuTile.Small),
        Conv2dTiledGpu.Candidate("tile128x64_r8x4_gpu", BackwardInput, GpuTile.Tall),
        Conv2dTiledGpu.Candidate("tile128x128_r8x8_gpu", BackwardInput, GpuTile.Large),
        Conv2dTiledGpu.Candidate("splitk_gpu", BackwardInput, GpuTile.Default, splitK: true),
        Conv2dTiledGpu.Candidate("splitk_t32x32_r4x4_gpu", BackwardInput, GpuTile.Small, splitK: true),
        Conv2dTiledGpu.Candidate("tile64x64_r4x4_sgmin_gpu", BackwardInput, GpuTile.Default, SubgroupPick.Min),
        Conv2dTiledGpu.Candidate("tile64x64_r4x4_sgmax_gpu", BackwardInput, GpuTile.Default, SubgroupPick.Max),
        Conv2dTiledGpu.Candidate("tile32x32_r4x4_gpu", BackwardWeight, GpuTile.Small),
        Conv2dTiledGpu.Candidate("tile128x64_r8x4_gpu", BackwardWeight, GpuTile.Tall),
        Conv2dTiledGpu.Candidate("tile128x128_r8x8_gpu", BackwardWeight, GpuTile.Large),
        Conv2dTiledGpu.Candidate("splitk_t32x32_r4x4_gpu", BackwardWeight, GpuTile.Small, splitK: true),
        Conv2dTiledGpu.Candidate("splitk_t128x64_r8x4_gpu", BackwardWeight, GpuTile.Tall, splitK: true),
        Conv2dTiledGpu.Candidate("tile64x64_r4x4_sgmin_gpu", BackwardWeight, GpuTile.Default, SubgroupPick.Min),
        Conv2dTiledGpu.Candidate("tile64x64_r4x4_sgmax_gpu", BackwardWeight, GpuTile.Default, SubgroupPick.Max),

        // The linear layer's GEMMs, keyed as 1x1 convs over 1x1 maps (LinearGemm); the fixed rules' choice for such keys.
        LinearGemm.Candidate(Forward),
        LinearGemm.Candidate(BackwardInput),
        LinearGemm.Candidate(BackwardWeight),
    ];

    /// <summary>
    /// The candidates of one direction that apply to a shape on a device, in table order (the reference first); with a
    /// <paramref name="variant"/>, only those of its family or of none (<see cref="ConvCandidate.Family"/>).
    /// A candidate <see cref="ConvCandidate.SupersededBy"/> another that applies too is left out when a variant is given (the tuner's
    /// question); without one every applicable candidate is listed.
    /// </summary>
    public static List<ConvCandidate> Applicable(IEnumerable<ConvCandidate> table, ConvKey key, DeviceInfo device, KernelVariant? variant = null)
    {
        var list = table.Where(c => c.Direction == key.Direction && c.Applies(key.Shape, device) && (variant is null || c.Family is null || c.Family == variant)).ToList();
        return variant is null ? list : list.Where(c => c.SupersededBy is not { } twin || !list.Any(o => o.Name == twin)).ToList();
    }

    /// <summary>A candidate by direction and name (null when the table has none: a cache entry from another build).</summary>
    public static ConvCandidate? Find(IEnumerable<ConvCandidate> table, ConvDirection direction, string name) =>
        table.FirstOrDefault(c => c.Direction == direction && c.Name == name);

    static ConvCandidate Named(ConvDirection direction, string name) =>
        Find(All, direction, name) ?? throw new InvalidOperationException($"No {direction} candidate named {name}.");

    /// <summary>
    /// Today's fixed rules (tuning off, or a key not tuned): the _cpu or _gpu forms by kernel variant; on _cpu, the 1x1 GEMM
    /// the stride-phase GEMM and the 3x3 taps backward weight where they measured faster (<see cref="Conv2dFormDefaults"/>),
    /// Winograd where it measured faster (<see cref="Conv2dKernels.UsesWinograd"/>) and the flipped-weight backward
    /// input for stride 1, each only when <paramref name="scratchBytes"/> holds its scratch; split-K only on _gpu.
    /// </summary>
    public static ConvCandidate Rules(ConvKey key, KernelVariant variant, bool? winograd = null, long scratchBytes = long.MaxValue)
    {
        var s = key.Shape;
        bool cpu = variant == KernelVariant.Cpu;
        ConvCandidate Fits(string preferred, string otherwise)
        {
            var c = Named(key.Direction, preferred);
            return c.Scratch(s) <= scratchBytes ? c : Named(key.Direction, otherwise);
        }
        if (LinearGemm.Applies(s)) return Named(key.Direction, LinearGemm.Name);   // a linear layer: its strided GEMM
        switch (key.Direction)
        {
            case Forward:
                if (cpu && Conv2dFormDefaults.Pointwise(s, variant)) return Named(Forward, "gemm_1x1_cpu");
                return cpu && Conv2dKernels.UsesWinograd(s, variant, winograd) ? Fits("winograd_f2x2", "direct_cpu") : Named(Forward, cpu ? "direct_cpu" : "direct_gpu");
            case BackwardInput:
                if (cpu && Conv2dFormDefaults.StridedGemm(s, variant)) return Fits("gemm_1x1_cpu", "phases_cpu");
                if (cpu && Conv2dFormDefaults.StridedPhases(s, variant)) return Fits("phase_gemm_cpu", "phases_cpu");
                if (cpu && Conv2dFormDefaults.Pointwise(s, variant)) return Fits("gemm_1x1_cpu", "phases_cpu");
                if (!cpu || !Conv2dKernels.FlipApplies(s)) return Named(BackwardInput, cpu ? "phases_cpu" : "phases_gpu");
                var flip = Fits("flip_forward_cpu", "phases_cpu");
                return Conv2dKernels.UsesWinograd(Conv2dKernels.Transposed(s), variant, winograd) && flip.Name != "phases_cpu"
                    ? Fits("flip_winograd_f2x2", "flip_forward_cpu") : flip;
            default:
                if (cpu && Conv2dFormDefaults.TapsBackwardWeight(s, variant)) return Fits("taps8_cpu", "direct_cpu");
                return cpu ? Named(BackwardWeight, "direct_cpu") : Conv2dKernels.SplitK(s).Slices > 1 ? Fits("splitk_gpu", "direct_gpu") : Named(BackwardWeight, "direct_gpu");
        }
    }
}
