using BenchmarkDotNet.Attributes;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Kernels;
using Kernels = VkResNet.Graph.Kernels;
using VkResNet.Runtime;

namespace VkResNet.Bench;

/// <summary>
/// The conv forms beside Conv2dKernels' own kernels (issue 13, tuner candidates). Baseline is Conv2dKernels as on main
/// before the forms: strided backward input is given no scratch, so it runs the per-phase kernel, not the forms it now defaults to.
/// </summary>
public enum ConvForm { Baseline, PhaseBackwardInput, Gemm1x1, BackwardWeightDy4, DirectCpu, WinogradF2x2, WinogradF4x4, BackwardWeightTaps8, BackwardWeightTaps4, WinogradFused }

/// <summary>One layer, one direction, one form: old and new forms of the same pass are cases of one run.</summary>
public sealed record ConvFormCase(ConvCase Layer, ConvDirection Direction, ConvForm Form)
{
    public override string ToString() => $"{Layer.Name} b{Layer.Shape.N} {Direction} {Form}";

    public bool Applies => (Form, Direction) switch
    {
        (ConvForm.Baseline, _) => true,
        (ConvForm.PhaseBackwardInput, ConvDirection.BackwardInput) => Conv2dPhaseBackwardInput.Applies(Layer.Shape, Layer.Variant),
        (ConvForm.Gemm1x1, ConvDirection.Forward or ConvDirection.BackwardInput) => Conv2d1x1Gemm.Applies(Layer.Shape, Layer.Variant),
        (ConvForm.BackwardWeightDy4, ConvDirection.BackwardWeight) => Conv2dBackwardWeightDy4.Applies(Layer.Shape, Layer.Variant),
        (ConvForm.DirectCpu or ConvForm.WinogradF2x2 or ConvForm.WinogradF4x4, ConvDirection.Forward) => Conv2dWinograd4.Applies(Layer.Shape),
        (ConvForm.DirectCpu or ConvForm.WinogradF2x2 or ConvForm.WinogradF4x4, ConvDirection.BackwardInput) => Conv2dWinograd4.BackwardInputApplies(Layer.Shape),
        (ConvForm.BackwardWeightTaps8 or ConvForm.BackwardWeightTaps4, ConvDirection.BackwardWeight) => Conv2dBackwardWeightTaps.Applies(Layer.Shape, Layer.Variant),
        (ConvForm.WinogradFused, ConvDirection.Forward) => Conv2dWinogradFused.Applies(Layer.Shape),
        (ConvForm.WinogradFused, ConvDirection.BackwardInput) => Conv2dWinogradFused.BackwardInputApplies(Layer.Shape),
        _ => false,
    };

    // What each form is written for (the stride-phase form is correct at stride 1 too, but not meant for it).
    bool Meant => Form switch
    {
        ConvForm.PhaseBackwardInput => Layer.Shape.StrideH > 1 || Layer.Shape.StrideW > 1,
        ConvForm.BackwardWeightDy4 => Layer.Shape.KernelH == 3,
        _ => true,
    };

    // The 3x3 stride-1 forms timed through the tuner's table (ConvCandidates.All), by candidate name.
    ConvCandidate? Candidate => (Form, Direction) switch
    {
        (ConvForm.DirectCpu, ConvDirection.Forward) => Named(Kernels.ConvDirection.Forward, "direct_cpu"),
        (ConvForm.DirectCpu, ConvDirection.BackwardInput) => Named(Kernels.ConvDirection.BackwardInput, "flip_forward_cpu"),
        (ConvForm.WinogradF2x2, ConvDirection.Forward) => Named(Kernels.ConvDirection.Forward, "winograd_f2x2"),
        (ConvForm.WinogradF2x2, ConvDirection.BackwardInput) => Named(Kernels.ConvDirection.BackwardInput, "flip_winograd_f2x2"),
        (ConvForm.WinogradF4x4, ConvDirection.Forward) => Named(Kernels.ConvDirection.Forward, "winograd_f4x4"),
        (ConvForm.WinogradF4x4, ConvDirection.BackwardInput) => Named(Kernels.ConvDirection.BackwardInput, "flip_winograd_f4x4"),
        (ConvForm.BackwardWeightTaps8, ConvDirection.BackwardWeight) => Named(Kernels.ConvDirection.BackwardWeight, "taps8_cpu"),
        (ConvForm.BackwardWeightTaps4, ConvDirection.BackwardWeight) => Named(Kernels.ConvDirection.BackwardWeight, "taps4_cpu"),
        (ConvForm.WinogradFused, ConvDirection.Forward) => Named(Kernels.ConvDirection.Forward, "winograd_fused_f2x2"),
        (ConvForm.WinogradFused, ConvDirection.BackwardInput) => Named(Kernels.ConvDirection.BackwardInput, "flip_winograd_fused_f2x2"),
        _ => null,
    };

    static ConvCandidate? Named(Kernels.ConvDirection d, string name) => ConvCandidates.Find(ConvCandidates.All, d, name);

    bool IsCandidate => Form != ConvForm.Baseline && Applies && Meant;

    public long ScratchBytes => Form switch
    {
        _ when Candidate is { } c => c.Scratch(Layer.Shape),
        ConvForm.PhaseBackwardInput => Conv2dPhaseBackwardInput.ScratchBytes(Layer.Shape),
        ConvForm.Gemm1x1 => Direction == ConvDirection.BackwardInput ? Conv2d1x1Gemm.ScratchBytes(Layer.Shape) : 0,
        ConvForm.BackwardWeightDy4 => Conv2dBackwardWeightDy4.ScratchBytes(Layer.Shape),
        _ when Direction == ConvDirection.BackwardInput && (Layer.Shape.StrideH > 1 || Layer.Shape.StrideW > 1) => 0,
        _ => Conv2dKernels.ScratchBytes(Layer.Shape, Layer.Variant),
    };

    public void Record(CommandRecorder r, Conv2dShape s, BufferSlice x, BufferSlice w, BufferSlice y, BufferSlice? scratch)
    {
        if (Candidate is { } c)
        {
            Recorder(c)(r, s, x, w, y, scratch);
            return;
        }
        switch (Form, Direction)
        {
            case (ConvForm.PhaseBackwardInput, _): Conv2dPhaseBackwardInput.BackwardInput(r, s, y, w, x, scratch!.Value); break;
            case (ConvForm.Gemm1x1, ConvDirection.Forward): Conv2d1x1Gemm.Forward(r, s, x, w, null, null, y); break;
            case (ConvForm.Gemm1x1, _): Conv2d1x1Gemm.BackwardInput(r, s, y, w, x, scratch!.Value); break;
            case (ConvForm.BackwardWeightDy4, _): Conv2dBackwardWeightDy4.BackwardWeight(r, s, y, x, w); break;
            case (_, ConvDirection.Forward): Conv2dKernels.Forward(r, s, x, w, null, null, y, scratch: scratch); break;
            case (_, ConvDirection.BackwardInput): Conv2dKernels.BackwardInput(r, s, y, w, x, scratch); break;
            // Baseline backward weight on _cpu is the one-pass kernel, named, whatever the fixed rules pick.
            case (_, ConvDirection.BackwardWeight) when r.Variant == KernelVariant.Cpu:
                ConvCandidates.Find(ConvCandidates.All, VkResNet.Graph.Kernels.ConvDirection.BackwardWeight, "direct_cpu")!.Record(r, s, new ConvOperands(y, x, w, scratch), Conv2dFlags.None); break;
            default: Conv2dKernels.BackwardWeight(r, s, y, x, w, scratch); break;
        }
    }

    /// <summary>
    /// Strided 3x3 convs beside ConvCase's set: ResNet-18's last (the largest weights, 256x512x3x3, to arrange per
    /// phase) at batch 1 and 32, and the two that open ResNet-20's stages 2 and 3 (option A shortcuts) at batch 128.
    /// </summary>
    static IEnumerable<ConvCase> Strided =>
    [
        new("r18 l4.0 3x3/2 256-512@14", Conv2dShape.Square(1, 256, 14, 14, 512, 3, 2, 1)),
        new("r18 l4.0 3x3/2 256-512@14", Conv2dShape.Square(32, 256, 14, 14, 512, 3, 2, 1)),
        new("r20 l2.0 3x3/2 16-32@28", Conv2dShape.Square(128, 16, 28, 28, 32, 3, 2, 1)),
        new("r20 l3.0 3x3/2 32-64@14", Conv2dShape.Square(128, 32, 14, 14, 64, 3, 2, 1)),
    ];

    /// <summary>ResNet-20's 3x3 stride-1 layers on CIFAR's 32x32 input (batch 128), beside ConvCase's 28x28 Fashion-MNIST ones.</summary>
    static IEnumerable<ConvCase> Cifar =>
    [
        new("r20 cifar l1 3x3 16@32", Conv2dShape.Square(128, 16, 32, 32, 16, 3, 1, 1)),
        new("r20 cifar l2 3x3 32@16", Conv2dShape.Square(128, 32, 16, 16, 32, 3, 1, 1)),
        new("r20 cifar l3 3x3 64@8", Conv2dShape.Square(128, 64, 8, 8, 64, 3, 1, 1)),
    ];

    /// <summary>
    /// The passes the new forms are written for, on the _cpu variant, each as Baseline (Conv2dKernels) and every form
    /// that is a candidate for it, one after the other: ImageNet layers at batch 1 and 32, ResNet-20's (stride 1 and 2; 28x28 and CIFAR's 32x32) at 128 (`batch=` narrows).
    /// </summary>
    /// <summary>The layers the forms are timed on (ImageNet at batch 1 and 32, ResNet-20 at 128, the strided and CIFAR extras), _cpu.</summary>
    public static IEnumerable<ConvCase> Layers(int[]? batches) =>
        from layer in ConvCase.ImageNet(1).Concat(ConvCase.ImageNet(32)).Concat(ConvCase.ResNet20()).Concat(Strided).Concat(Cifar)
        where batches?.Contains(layer.Shape.N) ?? true
        select layer with { Variant = KernelVariant.Cpu };

    /// <summary>A tuner candidate as a rig's pass: the rig's x, w, y as the candidate's operands for its direction.</summary>
    public static ConvRig.Pass Recorder(ConvCandidate c) => (r, s, x, w, y, scratch) =>
    {
        var o = c.Direction switch
        {
            Kernels.ConvDirection.Forward => new ConvOperands(x, w, y, scratch),
            Kernels.ConvDirection.BackwardInput => new ConvOperands(y, w, x, scratch),
            _ => new ConvOperands(y, x, w, scratch),
        };
        Conv2dKernels.Record(r, c, new ConvKey(c.Direction, s), o);
    };

    public static IEnumerable<ConvFormCase> ForRun(int[]? batches) =>
        from layer in Layers(batches)
        from direction in Enum.GetValues<ConvDirection>()
        let pass = Enum.GetValues<ConvForm>().Select(f => new ConvFormCase(layer, direction, f)).ToList()
        where pass.Any(c => c.IsCandidate)
        from c in pass
        where c.Form == ConvForm.Baseline || c.IsCandidate
        select c;
}

/// <summary>
/// A/B timing of the conv forms: as <see cref="ConvBenchmarks"/> (same rig, GPU timestamps, % of the run's peak),
/// with the form as the parameter. `--filter '*ConvForm*'` runs only these.
/// </summary>
public class ConvFormBenchmarks
{
    [ParamsSource(nameof(Cases))] public ConvFormCase Case { get; set; } = null!;

    public static IEnumerable<ConvFormCase> Cases => ConvFormCase.ForRun(BenchSettings.Batches)
        .Where(c => BenchSettings.Forms is not { } only || c.ToString().Contains(only, StringComparison.Ordinal));

    ConvRig _rig = null!;
    Measurement _measurement = null!;

    [GlobalSetup]
    public void Setup()
    {
        _rig = new ConvRig(Case.Layer.Shape, Case.Layer.Variant, Case.Direction, Case.ScratchBytes, Case.Record);
        _measurement = Measurements.Start(Measurements.Key(typeof(ConvFormBenchmarks), (nameof(Case), Case)), Case.Layer.Shape.Flops);
    }

    [Benchmark]
    public void Run() => _measurement.ReplayTimed(_rig.Commands);

    [GlobalCleanup]
    public void Cleanup() => _rig.Dispose();
}
