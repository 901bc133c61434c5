using System.Diagnostics;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Data;
using VkResNet.Graph.Kernels;
using VkResNet.Runtime;
using Buffer = VkResNet.Runtime.Buffer;

namespace VkResNet.Graph.Tuning;

/// <summary>
/// The tuner's runner on a real device: operands of one key in device buffers, filled from a fixed seed; a candidate
/// recorded once per call through the graph's <see cref="CommandRecorder"/>; times from GPU timestamps around it
/// (wall time where the queue has none). Compile time only: it allocates and records freely.
/// </summary>
public sealed class DeviceCandidateBench(Device device, KernelVariant variant) : ICandidateBench
{
    readonly List<Buffer> _buffers = [];
    ConvKey _key;
    ConvOperands _operands;
    Buffer? _prior;
    long _outBytes;

    public void Begin(ConvKey key, long scratchBytes)
    {
        Release();
        _key = key;
        var (a, b, o) = key.Elements;
        _outBytes = o * sizeof(float);
        BufferSlice? bias = (key.Flags & Conv2dFlags.Bias) != 0 ? Seeded(key.Shape.Cout, 3) : null;
        BufferSlice? residual = (key.Flags & Conv2dFlags.Residual) != 0 ? Seeded(o, 4) : null;
        _prior = Make(o);
        Upload(_prior, o, 5);
        var output = Make(o).All;
        BufferSlice? scratch = scratchBytes > 0 ? Make(scratchBytes / sizeof(float) + 4).All : null;
        _operands = new ConvOperands(Seeded(a, 1), Seeded(b, 2), output, scratch, bias, residual);
    }

    Buffer Make(long floats)
    {
        var buffer = device.CreateBuffer(Math.Max(16, floats * sizeof(float)), MemoryKind.DeviceLocal, "tuner");
        _buffers.Add(buffer);
        return buffer;
    }

    BufferSlice Seeded(long floats, int seed)
    {
        var buffer = Make(floats);
        Upload(buffer, floats, seed);
        return buffer.All;
    }

    // Uniform in [-1, 1) from a fixed seed per operand, the same for every candidate and every run.
    void Upload(Buffer buffer, long floats, int seed)
    {
        var rng = new SplitMix64((ulong)seed * 0x9E3779B97F4A7C15ul + 1);
        var data = new float[floats];
        for (long i = 0; i < floats; i++) data[i] = (float)((rng.Next() >> 40) * (2.0 / (1 << 24)) - 1.0);
        device.Upload(buffer.Slice(0, floats * sizeof(float)), data.AsSpan());
    }

    public float[] Output(ConvCandidate candidate)
    {
        using var cl = device.CreateCommandList();
        cl.Begin();
        var output = _operands.Out.Slice(0, _outBytes);
        // += starts from the prior; an overwrite from NaN, so an element the candidate never writes fails the check.
        if ((_key.Flags & Conv2dFlags.Accumulate) != 0) cl.Copy(_prior!.Slice(0, _outBytes), output);
        else cl.Fill(output, 0x7FC00000u);
        cl.TransferToComputeBarrier();
        using (var recorder = new CommandRecorder(device, cl, variant, fullBarriers: false))
        {
            Conv2dKernels.Record(recorder, candidate, _key, _operands);
            cl.ComputeToTransferBarrier();
            cl.End();
            cl.Submit();
            cl.Wait();
        }
        return device.Download<float>(output);
    }

    public double MedianMs(ConvCandidate candidate, int warmup, int runs, double abandonMs)
    {
        bool timestamps = device.Info.TimestampsSupported;
        using var cl = device.CreateCommandList(timestamps ? 2 : 0);
        using var recorder = new CommandRecorder(device, cl, variant, fullBarriers: false);
        cl.Begin(reusable: true);
        if (timestamps) cl.WriteTimestamp();
        Conv2dKernels.Record(recorder, candidate, _key, _operands);
        if (timestamps) cl.WriteTimestamp();
        cl.End();
        var times = new double[runs];
        var ms = new double[2];
        for (int i = 0; i < warmup + runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            cl.Submit();
            cl.Wait();
            double t = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (timestamps) { cl.ReadTimestampsMs(ms); t = ms[1]; }
            if (i == 0 && t > abandonMs) return t;
            if (i >= warmup) times[i - warmup] = t;
        }
        Array.Sort(times);
        return runs % 2 == 1 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    }

    void Release()
    {
        foreach (var b in _buffers) b.Dispose();
        _buffers.Clear();
        _prior = null;
    }

    public void Dispose() => Release();
}
