using BenchmarkDotNet.Attributes;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Kernels;
using VkResNet.Runtime;

namespace VkResNet.Bench;

/// <summary>
/// One conv pass (forward, backward-input or backward-weight) on one layer shape and kernel variant (the Case),
/// recorded once through <see cref="VkResNet.Graph.Execution.CommandRecorder"/> between two timestamps into a reusable command list
/// and replayed per call. BenchmarkDotNet's time is the wall time of Submit + fence wait; the GFLOP/s and
/// % peak columns use the GPU time between the timestamps (scratch weight flips and split-K reduces included).
/// </summary>
public class ConvBenchmarks
{
    [ParamsSource(nameof(Cases))] public ConvCase Case { get; set; } = null!;
    [ParamsAllValues] public ConvDirection Direction { get; set; }

    public static IEnumerable<ConvCase> Cases =>
        ConvCase.ForRun(BenchSettings.Quick, BenchDevice.Device.Variant, BenchSettings.Variant, BenchSettings.Batches);

    ConvRig _rig = null!;
    Measurement _measurement = null!;

    [GlobalSetup]
    public void Setup()
    {
        _rig = new ConvRig(Case.Shape, Case.Variant, Direction, Conv2dKernels.ScratchBytes(Case.Shape, Case.Variant), (r, s, x, w, y, scratch) =>
        {
            switch (Direction)
            {
                case ConvDirection.Forward: Conv2dKernels.Forward(r, s, x, w, null, null, y, scratch: scratch); break;
                case ConvDirection.BackwardInput: Conv2dKernels.BackwardInput(r, s, y, w, x, scratch); break;
                case ConvDirection.BackwardWeight: Conv2dKernels.BackwardWeight(r, s, y, x, w, scratch); break;
            }
        });
        _measurement = Measurements.Start(Measurements.Key(typeof(ConvBenchmarks), (nameof(Case), Case), (nameof(Direction), Direction)), Case.Shape.Flops);
    }

    [Benchmark]
    public void Run() => _measurement.ReplayTimed(_rig.Commands);

    [GlobalCleanup]
    public void Cleanup() => _rig.Dispose();
}
