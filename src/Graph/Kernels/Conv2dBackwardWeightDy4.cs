using VkResNet.Runtime;
using static VkResNet.Graph.Kernels.Conv2dFormArgs;

namespace VkResNet.Graph.Kernels;

/// <summary>
/// Backward weight on _cpu with dy read 4 outputs at a time as rgba32f (conv2d_backward_weight_dy4_cpu): the same
/// implicit GEMM and fixed reduction order as <see cref="Conv2dKernels.BackwardWeight"/>, a quarter of the row loads.
/// A tuner candidate beside it, for maps whose OH*OW is a multiple of 4.
/// </summary>
public static class Conv2dBackwardWeightDy4
{
    const string Form = "dy4 backward-weight";

    /// <summary>_cpu variant, OH*OW % 4 == 0 (a vec4 of dy never straddles two images or channels), and one invocation's
    /// N*(OH*OW/4 + 2) loop back-edges within lavapipe's budget (<see cref="LoopBudget"/>; past it llvmpipe cuts the sum short).</summary>
    public static bool Applies(Conv2dShape s, KernelVariant variant) =>
        variant == KernelVariant.Cpu && s.OutH * s.OutW % 4 == 0 && s.N <= LoopBudget.ImagesThatFit(s.OutH * s.OutW / 4 + 2);

    /// <summary>None: one pass straight into dw.</summary>
    public static long ScratchBytes(Conv2dShape s) => 0;

    /// <summary>dw = sum over batch and space of dy x im2col(x) (or dw += with accumulate).</summary>
    public static void BackwardWeight(CommandRecorder r, Conv2dShape s, BufferSlice dy, BufferSlice x, BufferSlice dw,
                                      BufferSlice? scratch = null, bool accumulate = false, CpuBlock? block = null)
    {
        s.Validate();
        if (!Applies(s, KernelVariant.Cpu))   // texel-buffer loads: any device runs it (the tuner decides where it pays)
            throw new ArgumentException($"Conv2d {Form} {s}: needs OH*OW % 4 == 0 on the _cpu variant ({r.Variant}).");
        Require(dy, s.OutputElements, "dy", s, Form);
        Require(x, s.InputElements, "x", s, Form);
        Require(dw, s.WeightElements, "dw", s, Form);
        RequireIndices(Math.Max(s.InputElements, s.OutputElements), s, Form);
        var b = block ?? CpuBlock.Default;
        RequireBlock(b, r.Device.Info, s, Form);
        r.Dispatch(b.Kernel("conv2d_backward_weight_dy4_cpu"), b.With([]), [Access.Read(dy), Access.Read(x), Conv2dKernels.Output(dw, accumulate)],
                   new Conv2dPush(s, accumulate ? Conv2dFlags.Accumulate : 0),
                   Conv2dKernels.Groups(s.PatchSize, b.Columns), Conv2dKernels.Groups(s.Cout, b.Rows), 1);
    }
}
