using System.Diagnostics;
using VkResNet.Graph.Embedding;
using VkResNet.Runtime;

namespace VkResNet.Samples.RealtimeHost;

/// <summary>Frame-time figures of one mode.</summary>
sealed record FrameStats(double FrameP50, double FrameP99, double CpuP50, double CpuP99, int Missed, int Inferences, long AllocatedBytes);

/// <summary>
/// The engine's frame loop at a fixed rate: begin the frame, replay the render, add inference as the mode
/// says, submit, wait for the frame's fence (the stand-in present), sleep to the next tick. Nothing in
/// the measured frames allocates: tickets are structs, the kept render lists and the inference's lists were recorded at warm-up.
/// </summary>
sealed class FrameLoop(HostEngine engine, HostOptions opts, CommandList[] renderPhases, RealtimeInference inference, Rgba8Source source)
{
    readonly double[] _frameMs = new double[opts.Frames];
    readonly double[] _cpuMs = new double[opts.Frames];
    InferenceTicket _pending;
    int _frameIndex;

    public int LastTopClass { get; private set; } = -1;

    public static string Describe(FrameMode mode) => mode switch
    {
        FrameMode.RenderOnly => "render only",
        FrameMode.InferenceEveryFrame => "render + inference every frame",
        _ => "render + sliced inference",
    };

    public FrameStats Run(FrameMode mode)
    {
        double period = 1000.0 / opts.Fps;
        int inferences = 0;
        for (int i = 0; i < opts.WarmupFrames; i++) Frame(mode, null, null, ref inferences);
        inferences = 0;
        var clock = new Stopwatch();
        long before = GC.GetAllocatedBytesForCurrentThread();
        clock.Start();
        double next = 0;
        for (int i = 0; i < opts.Frames; i++)
        {
            // Fixed rate: start each frame on its tick (sleep most of the wait, spin the last bit).
            double wait = next - clock.Elapsed.TotalMilliseconds;
            if (wait > 1.5) Thread.Sleep((int)(wait - 1));
            while (clock.Elapsed.TotalMilliseconds < next) Thread.SpinWait(20);
            next = Math.Max(next + period, clock.Elapsed.TotalMilliseconds);
            Frame(mode, _frameMs, _cpuMs, ref inferences, i);
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        FinishSliced(mode);
        int missed = _frameMs.Count(ms => ms > period);
        return new FrameStats(Percentile(_frameMs, 0.5), Percentile(_frameMs, 0.99), Percentile(_cpuMs, 0.5), Percentile(_cpuMs, 0.99), missed, inferences, allocated);
    }

    void Frame(FrameMode mode, double[]? frameMs, double[]? cpuMs, ref int inferences, int i = 0)
    {
        long t0 = Stopwatch.GetTimestamp();
        int slot = 0; // one frame in flight: the fence wait below is the present
        var cb = engine.BeginFrame(slot);
        renderPhases[_frameIndex++ % renderPhases.Length].Replay(cb);
        InferenceTicket signal = default;
        switch (mode)
        {
            case FrameMode.InferenceEveryFrame:
                signal = inference.Record(cb, source);
                break;
            case FrameMode.SlicedInference:
                if (!inference.IsSlicing) _pending = inference.BeginSliced(source);
                if (inference.RecordNextSlice(cb)) signal = _pending;
                break;
        }
        engine.EndFrame(slot, signal.IsValid ? signal.Semaphore : default, signal.IsValid ? signal.Value : 0);
        long t1 = Stopwatch.GetTimestamp();
        engine.WaitFrame(slot);
        long t2 = Stopwatch.GetTimestamp();
        if (signal.IsValid)
        {
            if (!inference.UsesTimeline) inference.NotifyCompleted(signal);
            // The fence and the timeline value come from the same submission but need not be observed in the
            // same instant; this wait returns at once in practice.
            signal.Wait();
            Consume(signal.Result);
            inferences++;
        }
        if (frameMs != null) frameMs[i] = Stopwatch.GetElapsedTime(t0, t2).TotalMilliseconds;
        if (cpuMs != null) cpuMs[i] = Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds;
    }

    /// <summary>Leaves no sliced inference half-done between modes.</summary>
    void FinishSliced(FrameMode mode)
    {
        int ignored = 0;
        while (mode == FrameMode.SlicedInference && inference.IsSlicing) Frame(mode, null, null, ref ignored);
    }

    void Consume(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int c = 1; c < logits.Length; c++) if (logits[c] > logits[best]) best = c;
        LastTopClass = best;
    }

    static double Percentile(double[] values, double q)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    }
}
