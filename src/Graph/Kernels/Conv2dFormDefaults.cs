using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>
/// Where the forms beside Conv2dKernels are today's default (tuning off): only where they measured clearly faster
/// on lavapipe in A/B runs of `bench -- ab` (bench/README.md, "Conv forms"). Conv2dKernels calls these hooks.
/// </summary>
internal static class Conv2dFormDefaults
{
    // Strided backward input on _cpu, given scratch: 1x1/2 as the 1x1 GEMM (0.06-0.23x the time of the per-phase
    // kernel at batch 1 and 32), other strided shapes as the stride-phase form where N*OH*OW >= 784 (3x3/2 and 7x7/2:
    // 0.48-0.77x at batch 1 on 28x28 and 112x112 outputs, 0.38-0.52x at batch 32, 0.50x on ResNet-20's 3x3/2 at 128).
    // Below that its weight arrangement outweighs the GEMM: 1.75x slower on ResNet-18's 256-512 3x3/2 (7x7) at batch 1;
    // 49 < N*OH*OW < 784 was not measured.
    static bool StridedGemm(Conv2dShape s, KernelVariant v) => Strided(s) && Conv2d1x1Gemm.Applies(s, v);
    static bool StridedPhases(Conv2dShape s, KernelVariant v) =>
        Strided(s) && !Conv2d1x1Gemm.Applies(s, v) && Conv2dPhaseBackwardInput.Applies(s, v) && (long)s.N * s.OutH * s.OutW >= 784;
    static bool Strided(Conv2dShape s) => s.StrideH > 1 || s.StrideW > 1;

    // Stride-1 1x1 forward on _cpu as the 1x1 GEMM with vec4 columns: 0.39-0.69x the time of the implicit-GEMM kernel
    // at batch 1 and 0.64-0.87x at batch 32 (ResNet-50's four 1x1 shapes). Stride-1 1x1 backward input runs as a forward
    // conv over transposed weights, so it takes this path too (0.44-0.85x). 1x1/2 forward (0.56-1.08x) stays as it was.
    static bool Pointwise(Conv2dShape s, KernelVariant v) => Conv2d1x1Gemm.Applies(s, v) && s.StrideH == 1 && s.StrideW == 1;

    /// <summary>Records the forward pass as a form and returns true where one is the default.</summary>
    public static bool Forward(IDispatchRecorder r, Conv2dShape s, BufferSlice x, BufferSlice w, BufferSlice? bias,
                               BufferSlice? residual, BufferSlice y, bool relu, bool accumulate)
    {
        if (!Pointwise(s, r.Variant)) return false;
        Conv2d1x1Gemm.Forward(r, s, x, w, bias, residual, y, relu, accumulate);
        return true;
    }

    /// <summary>Scratch the hooked backward-input forms need for this shape (0: none hooked).</summary>
    public static long ScratchBytes(Conv2dShape s, KernelVariant v) =>
        StridedGemm(s, v) ? Conv2d1x1Gemm.ScratchBytes(s) : StridedPhases(s, v) ? Conv2dPhaseBackwardInput.ScratchBytes(s) : 0;

    /// <summary>Records the backward input as a form and returns true where one is the default and the scratch suffices.</summary>
    public static bool BackwardInput(IDispatchRecorder r, Conv2dShape s, BufferSlice dy, BufferSlice w, BufferSlice dx,
                                     BufferSlice? scratch, bool accumulate)
    {
        long bytes = ScratchBytes(s, r.Variant);
        if (bytes == 0 || scratch is not { } ws || ws.Size < bytes) return false;
        if (StridedGemm(s, r.Variant)) Conv2d1x1Gemm.BackwardInput(r, s, dy, w, dx, ws, accumulate);
        else Conv2dPhaseBackwardInput.BackwardInput(r, s, dy, w, dx, ws, accumulate);
        return true;
    }
}
