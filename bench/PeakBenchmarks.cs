using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using VkResNet.Runtime;
using Buffer = VkResNet.Runtime.Buffer;

namespace VkResNet.Bench;

/// <summary>
/// The device's fp32 peak: the dispatch <see cref="PeakProbe"/> times (peak_fma_vec4 / peak_fma_scalar:
/// long independent FMA chains), recorded once between timestamps and replayed per call. Its "% peak" is
/// against the probe's median taken at the start of the run, so it also shows how much the peak drifted.
/// </summary>
public class PeakBenchmarks
{
    // The launch PeakProbe.Measure uses; FLOPs = invocations * Iterations * 8 chains * lanes * 2.
    const uint Local = 64;
    const int Iterations = 4096;

    [StructLayout(LayoutKind.Sequential)]
    struct Push { public float A, B; }

    [Params("peak_fma_vec4", "peak_fma_scalar")] public string Kernel { get; set; } = "";

    Buffer _output = null!;
    BindingSet _set = null!;
    CommandList _commands = null!;
    Measurement _measurement = null!;

    [GlobalSetup]
    public void Setup()
    {
        var device = BenchDevice.Device;
        uint groups = device.Info.Kind == DeviceKind.Cpu ? 128u : 8192u;
        uint invocations = groups * Local;
        int lanes = Kernel.EndsWith("vec4", StringComparison.Ordinal) ? 4 : 1;
        _output = device.CreateBuffer(invocations * 4, name: "peak.out");
        var k = device.GetKernel(Kernel, new SpecConstant(0, Local), SpecConstant.Int(1, Iterations));
        _set = device.CreateBindingSet(k, [_output.All]);
        _commands = device.CreateCommandList(timestampCapacity: 2);
        _commands.Begin(reusable: true);
        _commands.WriteTimestamp();
        _commands.Dispatch(k, _set, new Push { A = 0.999f, B = 0.001f }, groups);
        _commands.WriteTimestamp();
        _commands.End();
        _measurement = Measurements.Start(Measurements.Key(typeof(PeakBenchmarks), (nameof(Kernel), Kernel)), (double)invocations * Iterations * 8 * lanes * 2);
    }

    [Benchmark]
    public void Run() => _measurement.ReplayTimed(_commands);

    [GlobalCleanup]
    public void Cleanup()
    {
        _commands.Dispose();
        _set.Dispose();
        _output.Dispose();
    }
}
