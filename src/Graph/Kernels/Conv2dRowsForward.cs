using VkResNet.Runtime;
using static VkResNet.Graph.Kernels.Conv2dFormArgs;

namespace VkResNet.Graph.Kernels;

/// <summary>
/// 3x3 forward on _cpu by row runs (conv2d_forward_rows_cpu): an invocation owns <c>rows</c> output channels x a run of
/// consecutive outputs along one output row, so each x texel it gathers along an input row feeds the 3 taps of that
/// kernel row. The weights are rearranged first (conv2d_weight_rows, every step: training changes w) into scratch, per
/// channel block and input channel, and each lane of the workgroup loads an eighth of them and shuffles them to the rest
/// (lavapipe gathers a uniform texel once per lane: measured 0.53-0.66x of direct_cpu_16x8's time on ResNet-20's stride-1
/// layers at batch 128, where the same kernel loading every weight in every lane measured 0.81-0.95x). The stride-1
/// backward input runs as this forward over dy with the rearrangement reading w flipped and transposed. Sizes in specialization constants: grid order, channels per invocation, run
/// length (7 on widths that are multiples of 7, as every ResNet map at 224 and 28 input is; else 8) and the x stride.
/// Tuner candidates in <see cref="ConvCandidates"/>.
/// </summary>
public static class Conv2dRowsForward
{
    const string Form = "row-run forward";
    const uint Lanes = 8;

    /// <summary>
    /// 3x3 kernels at x stride 1 or 2, at least <paramref name="rows"/> output channels (a multiple of 4, at most 32), on a
    /// device whose compute shaders shuffle within subgroups of at least the workgroup's 8 invocations (the weights are
    /// shared across the workgroup by shuffles).
    /// </summary>
    public static bool Applies(Conv2dShape s, int rows, DeviceInfo d) => ShapeApplies(s, rows) && d.ShufflesWithin(Lanes);

    static bool ShapeApplies(Conv2dShape s, int rows) =>
        s.KernelH == 3 && s.KernelW == 3 && s.StrideW is 1 or 2 && rows % 4 == 0 && rows is >= 4 and <= 32 && s.Cout >= rows;

    /// <summary>Stride-1 backward input as the forward over dy (the transposed conv: Cin output channels).</summary>
    public static bool BackwardInputApplies(Conv2dShape s, int rows, DeviceInfo d) =>
        Conv2dKernels.FlipApplies(s) && Applies(Conv2dKernels.Transposed(s), rows, d);

    /// <summary>Outputs along ox per invocation: 7 where the width is a multiple of 7 (no output wasted), else 8.</summary>
    public static int Run(Conv2dShape s) => s.OutW % 7 == 0 && s.OutW % 8 != 0 ? 7 : 8;

    static long PaddedCout(Conv2dShape s, int rows) => DivUp(s.Cout, rows) * rows;

    /// <summary>Scratch bytes of the forward: the rearranged weights, Cin x 9 x Cout padded to the channel block.</summary>
    public static long ScratchBytes(Conv2dShape s, int rows) => AlignedBytes(9L * s.Cin * PaddedCout(s, rows));

    /// <summary>Scratch bytes of the stride-1 backward input (the forward over the transposed shape).</summary>
    public static long BackwardInputScratchBytes(Conv2dShape s, int rows) => ScratchBytes(Conv2dKernels.Transposed(s), rows);

    /// <summary>The forward with <paramref name="rows"/> output channels per invocation.</summary>
    public static ConvLaunch Forward(int rows) => (r, s, o, flags) =>
        Record(r, s, o.A, o.B, (flags & Conv2dFlags.Bias) != 0 ? o.Bias : null, (flags & Conv2dFlags.Residual) != 0 ? o.Residual : null,
               o.Out, flags, o.Scratch, flipWeights: false, rows);

    /// <summary>The stride-1 backward input, blocked as <see cref="Forward"/>.</summary>
    public static ConvLaunch BackwardInput(int rows) => (r, s, o, flags) =>
        Record(r, Conv2dKernels.Transposed(s), o.A, o.B, null, null, o.Out, flags & Conv2dFlags.Accumulate, o.Scratch, flipWeights: true, rows);

    static void Record(CommandRecorder r, Conv2dShape s, BufferSlice x, BufferSlice w, BufferSlice? bias, BufferSlice? residual,
                       BufferSlice y, Conv2dFlags flags, BufferSlice? scratch, bool flipWeights, int rows)
    {
        s.Validate();
        if (!ShapeApplies(s, rows))
            throw new ArgumentException($"Conv2d {Form} {s}: needs a 3x3 kernel, x stride 1 or 2 and at least {rows} output channels ({rows} a multiple of 4, at most 32).");
        RequireShuffles(r.Device.Info, Lanes, s, Form);
        Require(x, s.InputElements, "x", s, Form);
        Require(w, s.WeightElements, "w", s, Form);
        Require(y, s.OutputElements, "y", s, Form);
        int run = Run(s);
        long runs = (long)s.N * s.OutH * DivUp(s.OutW, run);
        RequireColumns(runs, s, Form);
        RequireIndices(Math.Max(s.InputElements, s.OutputElements), s, Form);
        long bytes = ScratchBytes(s, rows);
        if (scratch is not { } sc) throw new ArgumentException($"Conv2d {Form} {s}: the rearranged weights need {bytes} bytes of scratch, got none.");
        RequireScratch(sc, bytes, s, Form);
        var wr = sc.Slice(0, bytes);
        r.Dispatch("conv2d_weight_rows", [], [Access.Read(w), Access.Write(wr)], new Conv2dPush(s, flipWeights ? (Conv2dFlags)1 : 0, rows),
                   Conv2dKernels.Groups(9L * s.Cin * PaddedCout(s, rows), 256), 1, 1);
        bool acc = (flags & Conv2dFlags.Accumulate) != 0;
        SpecConstant[] spec = [SpecConstant.Int(1, rows), SpecConstant.Int(2, run), SpecConstant.Int(3, s.StrideW)];
        r.Dispatch("conv2d_forward_rows_cpu", spec,
                   [Access.Read(x), Access.Read(wr), Access.Read(bias ?? x), Access.Read(residual ?? x), Conv2dKernels.Output(y, acc)],
                   new Conv2dPush(s, flags), Conv2dKernels.Groups(s.Cout, rows), Conv2dKernels.Groups(runs, (int)Lanes), 1);
    }
}
