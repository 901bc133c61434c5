using VkResNet.Runtime;
using static VkResNet.Graph.Kernels.Conv2dFormArgs;

namespace VkResNet.Graph.Kernels;

/// <summary>
/// Winograd F(2x2,3x3) on _cpu for 3x3 stride-1 pad-1 convs with the input transform fused into the GEMM: the weight
/// transform (winograd_weight_cpu, every step: training changes w), then one pass (winograd_fused_cpu) in which an
/// invocation transforms its tiles' input patches in registers, multiplies them by u for all 16 points and writes the
/// inverse-transformed output with the epilogue. No v in scratch: at 16-32 channels the GEMM is too short to pay for
/// writing and reading the transformed input (bench/README.md, "Winograd F(2x2,3x3)"). Blocking in specialization
/// constants: output channels and tiles per invocation. Tuner candidates in <see cref="ConvCandidates"/>.
/// </summary>
public static class Conv2dWinogradFused
{
    const string Form = "fused Winograd F(2x2,3x3)";
    const int Lanes = 8, MaxRows = 16, MaxCols = 4;
    const long Align = 256;

    /// <summary>
    /// The factor on <see cref="ConvTolerance.Atol"/>: 1, as for winograd_f2x2 (the same arithmetic). F(2x2)'s transforms
    /// have small constants (B^T and A^T: 0, +-1; G: 0.5), unlike F(4x4)'s (up to 8, hence its 4). Measured with the factor
    /// set to 0.01 on every kernel-test shape: no element was off by more than 0.054 of the direct forms' absolute
    /// tolerance (plus the unchanged relative one).
    /// </summary>
    public const double ErrorScale = 1;

    /// <summary>3x3, stride 1, pad 1, any map size (partial last tiles are cut at the output) and channel count.</summary>
    public static bool Applies(Conv2dShape s) => Conv2dKernels.WinogradApplies(s);

    /// <summary>Stride-1 backward input as the fused forward over dy (the weight transform reading w flipped and transposed).</summary>
    public static bool BackwardInputApplies(Conv2dShape s) => Conv2dKernels.FlipApplies(s) && Applies(Conv2dKernels.Transposed(s));

    static long Tiles(Conv2dShape s) => (long)s.N * ((s.H + 1) / 2) * ((s.W + 1) / 2);

    /// <summary>Scratch bytes of the forward: u [16][Cout][Kp] only.</summary>
    public static long ScratchBytes(Conv2dShape s) => (16L * s.Cout * ((s.Cin + 3) & ~3) * sizeof(float) + Align - 1) & ~(Align - 1);

    /// <summary>Scratch bytes of the stride-1 backward input (the forward of dy over the transposed shape).</summary>
    public static long BackwardInputScratchBytes(Conv2dShape s) => ScratchBytes(Conv2dKernels.Transposed(s));

    /// <summary>The forward with <paramref name="rows"/> output channels x <paramref name="cols"/> tiles per invocation.</summary>
    public static ConvLaunch Forward(int rows, int cols) => (r, s, o, flags) =>
        Record(r, s, o.A, o.B, (flags & Conv2dFlags.Bias) != 0 ? o.Bias : null, (flags & Conv2dFlags.Residual) != 0 ? o.Residual : null,
               o.Out, flags, o.Scratch!.Value, flipWeights: false, rows, cols);

    /// <summary>The stride-1 backward input, blocked as <see cref="Forward"/>.</summary>
    public static ConvLaunch BackwardInput(int rows, int cols) => (r, s, o, flags) =>
        Record(r, Conv2dKernels.Transposed(s), o.A, o.B, null, null, o.Out, flags & Conv2dFlags.Accumulate, o.Scratch!.Value, flipWeights: true, rows, cols);

    static void Record(CommandRecorder r, Conv2dShape s, BufferSlice x, BufferSlice w, BufferSlice? bias, BufferSlice? residual,
                       BufferSlice y, Conv2dFlags flags, BufferSlice scratch, bool flipWeights, int rows, int cols)
    {
        if (rows is < 1 or > MaxRows) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"1..{MaxRows} output channels per invocation");
        if (cols is < 1 or > MaxCols) throw new ArgumentOutOfRangeException(nameof(cols), cols, $"1..{MaxCols} tiles per invocation");
        long tiles = Tiles(s);
        RequireColumns(tiles, s, Form);
        RequireIndices(Math.Max(s.InputElements, s.OutputElements), s, Form);
        long ub = ScratchBytes(s);
        RequireScratch(scratch, ub, s, Form);
        var u = scratch.Slice(0, ub);
        int kp = (s.Cin + 3) & ~3;
        r.Dispatch("winograd_weight_cpu", [], [Access.Read(w), Access.Write(u)], new Conv2dPush(s, flipWeights ? (Conv2dFlags)1 : 0),
                   Conv2dKernels.Groups(kp, 64), (uint)s.Cout, 1);
        bool acc = (flags & Conv2dFlags.Accumulate) != 0;
        SpecConstant[] spec = [SpecConstant.Int(0, rows), SpecConstant.Int(1, cols)];
        r.Dispatch("winograd_fused_cpu", spec, [Access.Read(u), Access.Read(x), Access.Read(bias ?? x), Access.Read(residual ?? x), Conv2dKernels.Output(y, acc)],
                   new Conv2dPush(s, flags), Conv2dKernels.Groups(s.Cout, rows), Conv2dKernels.Groups(tiles, Lanes * cols), 1);
    }
}
