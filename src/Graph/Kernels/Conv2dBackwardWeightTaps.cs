using VkResNet.Runtime;
using static VkResNet.Graph.Kernels.Conv2dFormArgs;

namespace VkResNet.Graph.Kernels;

/// <summary>
/// 3x3 backward weight on _cpu with the 9 taps of one input channel in one invocation (conv2d_backward_weight_taps_cpu):
/// a row of x read along ox feeds 3 taps at once, so a texel feeds several times the FMAs of the one-pass kernel's.
/// The reduction over batch and space is split by images into slices that give at least <c>targetGroups</c> workgroups
/// (each slice its own partial in scratch), then summed in slice order by splitk_reduce: the same bits every run.
/// Sizes in specialization constants: the x stride (1 or 2), output channels per invocation, vec4 dy loads.
/// </summary>
public static class Conv2dBackwardWeightTaps
{
    const string Form = "taps backward-weight";
    const int Lanes = 8;

    /// <summary>3x3 kernels at x stride 1 or 2 on the _cpu variant, at least 8 input channels (a lane per channel).</summary>
    public static bool Applies(Conv2dShape s, KernelVariant variant) =>
        variant == KernelVariant.Cpu && s.KernelH == 3 && s.KernelW == 3 && s.StrideW is 1 or 2 && s.Cin >= Lanes;

    /// <summary>
    /// The shuffle form (conv2d_backward_weight_taps_shuffle_cpu: the dy rows loaded once across the lanes and shared by
    /// subgroup shuffles) also needs shuffles in compute and the workgroup's 8 lanes in one subgroup.
    /// </summary>
    public static bool ShuffleApplies(Conv2dShape s, KernelVariant variant, DeviceInfo d) =>
        Applies(s, variant) && d.ShufflesWithin(Lanes);

    /// <summary>Images per slice and the slice count: enough slices for <paramref name="targetGroups"/> workgroups, each at least one image.</summary>
    public static (int Slices, int Images) Split(Conv2dShape s, int rows, int targetGroups)
    {
        long groups = DivUp(s.Cin, Lanes) * DivUp(s.Cout, rows);
        int wanted = (int)Math.Clamp(DivUp(targetGroups, groups), 1, s.N);
        // No slice past lavapipe's loop budget (LoopBudget): per image OH x (OW / 4 steps) + 2 OH + 1 back-edges.
        long perImage = (long)s.OutH * DivUp(s.OutW, 4) + 2L * s.OutH + 1;
        int images = (int)Math.Min(DivUp(s.N, wanted), Math.Max(1, LoopBudget.ImagesThatFit(perImage)));
        return ((int)DivUp(s.N, images), images);
    }

    /// <summary>The partials of the slices (0: one slice, written straight into dw).</summary>
    public static long ScratchBytes(Conv2dShape s, int rows, int targetGroups)
    {
        var (slices, _) = Split(s, rows, targetGroups);
        return slices == 1 ? 0 : slices * s.WeightElements * sizeof(float);
    }

    /// <summary>dw = sum over batch and space of dy x im2col(x) (or dw += with accumulate).</summary>
    public static void BackwardWeight(CommandRecorder r, Conv2dShape s, BufferSlice dy, BufferSlice x, BufferSlice dw,
                                      BufferSlice? scratch, bool accumulate, int rows, int targetGroups, bool shuffle = false)
    {
        s.Validate();
        if (!Applies(s, KernelVariant.Cpu))
            throw new ArgumentException($"Conv2d {Form} {s}: needs a 3x3 kernel, x stride 1 or 2 and at least {Lanes} input channels.");
        if (shuffle) RequireShuffles(r.Device.Info, Lanes, s, Form);
        string kernel = shuffle ? "conv2d_backward_weight_taps_shuffle_cpu" : "conv2d_backward_weight_taps_cpu";
        if (rows is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(rows), rows, "1..8 output channels per invocation");
        Require(dy, s.OutputElements, "dy", s, Form);
        Require(x, s.InputElements, "x", s, Form);
        Require(dw, s.WeightElements, "dw", s, Form);
        RequireIndices(Math.Max(s.InputElements, s.OutputElements), s, Form);
        var (slices, images) = Split(s, rows, targetGroups);
        // 4 outputs along ox a step (vec4 dy where the width allows), 7 on widths of 7 and 14 (no wasted outputs).
        int ox = s.OutW % 4 != 0 && s.OutW % 7 == 0 ? 7 : 4;
        SpecConstant[] spec = [SpecConstant.Int(0, s.StrideW), SpecConstant.Int(1, rows), SpecConstant.Bool(2, ox == 4 && s.OutW % 4 == 0), SpecConstant.Int(3, ox)];
        uint gx = Conv2dKernels.Groups(s.Cin, Lanes), gy = Conv2dKernels.Groups(s.Cout, rows);
        if (slices == 1)
        {
            r.Dispatch(kernel, spec, [Access.Read(dy), Access.Read(dy), Access.Read(x), Conv2dKernels.Output(dw, accumulate)],
                       new Conv2dPush(s, accumulate ? Conv2dFlags.Accumulate : 0, images), gx, gy, 1);
            return;
        }
        long bytes = ScratchBytes(s, rows, targetGroups);
        if (scratch is not { } sc) throw new ArgumentException($"Conv2d {Form} {s}: {slices} slices need {bytes} bytes of scratch, got none.");
        RequireScratch(sc, bytes, s, Form);
        var partial = sc.Slice(0, bytes);
        r.Dispatch(kernel, spec, [Access.Read(dy), Access.Read(dy), Access.Read(x), Access.Write(partial)],
                   new Conv2dPush(s, 0, images), gx, gy, (uint)slices);
        var reduce = new SplitKReducePush { Count = checked((int)s.WeightElements), Slices = slices, Flags = accumulate ? 8u : 0u };
        r.Dispatch("splitk_reduce", [], [Access.Read(partial), Conv2dKernels.Output(dw, accumulate)], reduce, Conv2dKernels.Groups(s.WeightElements, 256), 1, 1);
    }
}
