using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>
/// Where the forms beside Conv2dKernels are today's default (tuning off): only where they measured clearly faster
/// on lavapipe in A/B runs of `bench -- ab` (bench/README.md, "Conv forms"). ConvCandidates.Rules reads these.
/// </summary>
internal static class Conv2dFormDefaults
{
    // Strided backward input on _cpu, given scratch: 1x1/2 as the 1x1 GEMM (0.06-0.23x the time of the per-phase
    // kernel at batch 1 and 32), other strided shapes as the stride-phase form where N*OH*OW >= 784 (3x3/2 and 7x7/2:
    // 0.48-0.77x at batch 1 on 28x28 and 112x112 outputs, 0.38-0.52x at batch 32, 0.50x on ResNet-20's 3x3/2 at 128).
    // Below that its weight arrangement outweighs the GEMM: 1.75x slower on ResNet-18's 256-512 3x3/2 (7x7) at batch 1;
    // 49 < N*OH*OW < 784 was not measured.
    internal static bool StridedGemm(Conv2dShape s, KernelVariant v) => Strided(s) && Conv2d1x1Gemm.Applies(s, v);
    internal static bool StridedPhases(Conv2dShape s, KernelVariant v) =>
        Strided(s) && !Conv2d1x1Gemm.Applies(s, v) && Conv2dPhaseBackwardInput.Applies(s, v) && (long)s.N * s.OutH * s.OutW >= 784;
    static bool Strided(Conv2dShape s) => s.StrideH > 1 || s.StrideW > 1;

    // Stride-1 1x1 forward on _cpu as the 1x1 GEMM with vec4 columns: 0.39-0.69x the time of the implicit-GEMM kernel
    // at batch 1 and 0.64-0.87x at batch 32 (ResNet-50's four 1x1 shapes). Stride-1 1x1 backward input runs as a forward
    // conv over transposed weights, so it takes this path too (0.44-0.85x). 1x1/2 forward (0.56-1.08x) stays as it was.
    internal static bool Pointwise(Conv2dShape s, KernelVariant v) => Conv2d1x1Gemm.Applies(s, v) && s.StrideH == 1 && s.StrideW == 1;

    // 3x3 backward weight on _cpu, given scratch, as the taps form (taps8_cpu) on outputs at least 14 wide. Alternating A/B
    // runs (bench/README.md, "3x3 backward weight, taps form"), time against the one-pass kernel: at batch 128 (2026-12-02,
    // the one-pass kernel chunked under lavapipe's loop budget) 0.30x on ResNet-20's 16@28, 0.72x on 32@14, 0.51x on
    // 16-32@28/2; at batch 1 0.54x, 0.52x, 0.84x on ResNet-18's 64@56, 128@28, 256@14 and 0.58x on 128@56/2. On 7-wide
    // outputs it was 1.01x (64@7 at 128), 1.07x (512@7 at 1) and 1.62x (256-512@14/2 at 1), so those keep the one-pass kernel.
    // (The tuner's "disagreement" that withdrew this rule once was the one-pass kernel's error, not the taps form's: LoopBudget.)
    internal static bool TapsBackwardWeight(Conv2dShape s, KernelVariant v) => Conv2dBackwardWeightTaps.Applies(s, v) && s.OutW >= 14;
}
