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
    // Host copies of the operands, for Exact.
    float[] _a = [], _b = [], _bias = [], _residual = [], _priorData = [];
    // The candidates already run on this key: the first run of each is timed into FirstRuns.
    readonly HashSet<string> _ran = [];

    /// <summary>
    /// Wall time of each candidate's first run on each key, summed: where a driver compiles a pipeline at its first
    /// dispatch (llvmpipe), this is where the compile goes, since pipeline creation there costs next to nothing.
    /// </summary>
    public TimeSpan FirstRuns { get; private set; }

    public void Begin(ConvKey key, long scratchBytes)
    {
        Release();
        _ran.Clear();
        _key = key;
        var (a, b, o) = key.Elements;
        _outBytes = o * sizeof(float);
        BufferSlice? bias = (key.Flags & Conv2dFlags.Bias) != 0 ? Seeded(key.Shape.Cout, 3, out _bias) : null;
        BufferSlice? residual = (key.Flags & Conv2dFlags.Residual) != 0 ? Seeded(o, 4, out _residual) : null;
        _prior = Seeded(o, 5, out _priorData).Buffer;
        var output = Make(o).All;
        BufferSlice? scratch = scratchBytes > 0 ? Make(scratchBytes / sizeof(float) + 4).All : null;
        _operands = new ConvOperands(Seeded(a, 1, out _a), Seeded(b, 2, out _b), output, scratch, bias, residual);
    }

    public double Exact(long index) => ConvExact.Element(_key, _a, _b, _bias, _residual, _priorData, index);

    Buffer Make(long floats)
    {
        var buffer = device.CreateBuffer(Math.Max(16, floats * sizeof(float)), MemoryKind.DeviceLocal, "tuner");
        _buffers.Add(buffer);
        return buffer;
    }

    BufferSlice Seeded(long floats, int seed, out float[] data)
    {
        var buffer = Make(floats);
        data = Operand(floats, seed);
        device.Upload(buffer.Slice(0, floats * sizeof(float)), data.AsSpan());
        return buffer.All;
    }

    /// <summary>
    /// Uniform in [-1, 1) from a fixed seed per operand, the same for every candidate and every run. The streams are
    /// independent: seeding SplitMix64 with seed x golden ratio made each operand the previous one shifted by one element
    /// (x[i] = dy[i + 1]), so on a backward-weight key with Cin = Cout one tap per channel summed squares.
    /// </summary>
    internal static float[] Operand(long floats, int seed)
    {
        var rng = SplitMix64.For(OperandSeed, seed);
        var data = new float[floats];
        for (long i = 0; i < floats; i++) data[i] = (float)((rng.Next() >> 40) * (2.0 / (1 << 24)) - 1.0);
        return data;
    }

    const long OperandSeed = 0x74756e6572;   // "tuner"

    public float[] Output(ConvCandidate candidate)
    {
        using var cl = device.CreateCommandList();
        cl.Begin();
        var output = _operands.Out.Slice(0, _outBytes);
        // += starts from the prior; an overwrite from NaN, so an element the candidate never writes fails the check.
        if ((_key.Flags & Conv2dFlags.Accumulate) != 0) cl.Copy(_prior!.Slice(0, _outBytes), output);
        else cl.Fill(output, 0x7FC00000u);
        cl.Edge(PlanEdge.TransfersIn);
        using (var recorder = new CommandRecorder(device, cl, variant, fullBarriers: false))
        {
            Conv2dKernels.Record(recorder, candidate, _key, _operands);
            cl.Edge(PlanEdge.TransfersOut);
            cl.End();
            long start = Stopwatch.GetTimestamp();
            cl.Submit();
            cl.Wait();
            if (_ran.Add(candidate.Name)) FirstRuns += Stopwatch.GetElapsedTime(start);
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
        var ms = new double[2];
        return TimedMedian(() =>
        {
            long start = Stopwatch.GetTimestamp();
            cl.Submit();
            cl.Wait();
            var wall = Stopwatch.GetElapsedTime(start);
            if (_ran.Add(candidate.Name)) FirstRuns += wall;
            double t = wall.TotalMilliseconds;
            if (timestamps) { cl.ReadTimestampsMs(ms); t = ms[1]; }
            return t;
        }, warmup, runs, abandonMs);
    }

    /// <summary>
    /// The median of <paramref name="runs"/> timed runs after <paramref name="warmup"/> untimed ones (at least one: a
    /// pipeline's first dispatch may compile it, on lavapipe 10-400x a warm run), or the first timed run alone when it
    /// took over <paramref name="abandonMs"/>. Judging the abandon on the cold first run made whole directions time
    /// their first key's candidates at their compile cost and skip them on later keys.
    /// </summary>
    public static double TimedMedian(Func<double> runOnce, int warmup, int runs, double abandonMs)
    {
        warmup = Math.Max(1, warmup);
        for (int i = 0; i < warmup; i++) runOnce();
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            times[i] = runOnce();
            if (i == 0 && times[0] > abandonMs) return times[0];
        }
        return Median(times);
    }

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    void Release()
    {
        foreach (var b in _buffers) b.Dispose();
        _buffers.Clear();
        _prior = null;
        _a = _b = _bias = _residual = _priorData = [];
    }

    public void Dispose() => Release();
}
