using BenchmarkDotNet.Attributes;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Kernels;
using VkResNet.Runtime;
using Buffer = VkResNet.Runtime.Buffer;

namespace VkResNet.Bench;

/// <summary>
/// One conv pass (forward, backward-input or backward-weight) on one layer shape and kernel variant (the Case),
/// recorded once through <see cref="CommandRecorder"/> between two timestamps into a reusable command list
/// and replayed per call. BenchmarkDotNet's time is the wall time of Submit + fence wait; the GFLOP/s and
/// % peak columns use the GPU time between the timestamps (scratch weight flips and split-K reduces included).
/// </summary>
public class ConvBenchmarks
{
    [ParamsSource(nameof(Cases))] public ConvCase Case { get; set; } = null!;
    [ParamsAllValues] public ConvDirection Direction { get; set; }

    public static IEnumerable<ConvCase> Cases =>
        ConvCase.ForRun(BenchSettings.Quick, BenchDevice.Device.Variant, BenchSettings.Variant, BenchSettings.Batches);

    readonly List<Buffer> _buffers = [];
    CommandList _commands = null!;
    CommandRecorder _recorder = null!;
    Measurement _measurement = null!;

    [GlobalSetup]
    public void Setup()
    {
        var device = BenchDevice.Device;
        var s = Case.Shape;
        var rng = new Random(7);
        BufferSlice Tensor(long elements, string name, bool fill)
        {
            var b = device.CreateBuffer((elements * sizeof(float) + 15) & ~15L, name: name);
            _buffers.Add(b);
            if (fill)
            {
                var v = new float[elements];
                for (int i = 0; i < v.Length; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
                device.Upload(b.All.Slice(0, elements * sizeof(float)), (ReadOnlySpan<float>)v);
            }
            return b.All;
        }

        var x = Tensor(s.InputElements, "x", Direction != ConvDirection.BackwardInput);
        var w = Tensor(s.WeightElements, "w", Direction != ConvDirection.BackwardWeight);
        var y = Tensor(s.OutputElements, "y", Direction != ConvDirection.Forward);
        long scratchBytes = Conv2dKernels.ScratchBytes(s, Case.Variant);
        BufferSlice? scratch = scratchBytes > 0 ? Tensor(scratchBytes / sizeof(float), "scratch", false) : null;

        _commands = device.CreateCommandList(timestampCapacity: 2);
        _recorder = new CommandRecorder(device, _commands, Case.Variant);
        _commands.Begin(reusable: true);
        _commands.WriteTimestamp();
        switch (Direction)
        {
            case ConvDirection.Forward: Conv2dKernels.Forward(_recorder, s, x, w, null, null, y, scratch: scratch); break;
            case ConvDirection.BackwardInput: Conv2dKernels.BackwardInput(_recorder, s, y, w, x, scratch); break;
            case ConvDirection.BackwardWeight: Conv2dKernels.BackwardWeight(_recorder, s, y, x, w, scratch); break;
        }
        _commands.WriteTimestamp();
        _commands.End();
        _measurement = Measurements.Start(Measurements.Key(typeof(ConvBenchmarks), (nameof(Case), Case), (nameof(Direction), Direction)), s.Flops);
    }

    [Benchmark]
    public void Run() => _measurement.ReplayTimed(_commands);

    [GlobalCleanup]
    public void Cleanup()
    {
        _commands.Dispose();
        _recorder.Dispose();
        foreach (var b in _buffers) b.Dispose();
        _buffers.Clear();
    }
}
