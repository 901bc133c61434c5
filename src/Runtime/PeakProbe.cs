using System.Diagnostics;
using System.Runtime.InteropServices;

namespace VkResNet.Runtime;

/// <summary>
/// Measures a device's fp32 peak with long independent FMA chains (vec4 and scalar), so that
/// benchmarks can state achieved FLOP/s as a share of a peak measured in the same run.
/// </summary>
public static class PeakProbe
{
    [StructLayout(LayoutKind.Sequential)]
    struct Push { public float A, B; }

    public sealed record Result(double Vec4GflopsMedian, double ScalarGflopsMedian, int Repeats);

    public static Result Measure(Device device, int repeats = 5)
    {
        const uint local = 64;
        const int iterations = 4096;
        uint groups = device.Info.Kind == DeviceKind.Cpu ? 128u : 8192u;
        uint invocations = groups * local;
        using var output = device.CreateBuffer(invocations * 4, name: "peak.out");
        double Run(string kernel, int lanes)
        {
            var k = device.GetKernel(kernel, new SpecConstant(0, local), SpecConstant.Int(1, iterations));
            using var set = device.CreateBindingSet(k, [output.All]);
            using var cl = device.CreateCommandList(timestampCapacity: device.Info.TimestampsSupported ? 2 : 0);
            cl.Begin(reusable: true);
            if (device.Info.TimestampsSupported) cl.WriteTimestamp();
            cl.Dispatch(k, set, new Push { A = 0.999f, B = 0.001f }, groups);
            if (device.Info.TimestampsSupported) cl.WriteTimestamp();
            cl.End();
            cl.Submit(); cl.Wait(); // warm-up
            var samples = new double[repeats];
            Span<double> ts = stackalloc double[2];
            for (int r = 0; r < repeats; r++)
            {
                long t0 = Stopwatch.GetTimestamp();
                cl.Submit();
                cl.Wait();
                double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                if (device.Info.TimestampsSupported) { cl.ReadTimestampsMs(ts); ms = ts[1]; }
                samples[r] = (double)invocations * iterations * 8 * lanes * 2 / (ms * 1e6);
            }
            Array.Sort(samples);
            return samples[repeats / 2];
        }
        return new Result(Run("peak_fma_vec4", 4), Run("peak_fma_scalar", 1), repeats);
    }
}
