using System.Runtime.InteropServices;
using VkResNet.Graph.Ir;
using VkResNet.Runtime;
using Buffer = VkResNet.Runtime.Buffer;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Execution;

/// <summary>Parameter gradients that travel together: floats [Offset, Offset + Count) of the flat gradient layout.</summary>
public sealed record GradientBucket(int Index, IReadOnlyList<Tensor> Gradients, int Offset, int Count, int LastPass)
{
    public long Bytes => 4L * Count;
}

/// <summary>
/// A training step recorded again as a chain of command buffers split at gradient-bucket boundaries, for gradient
/// accumulation and data-parallel training. Segment b runs the passes up to the one that writes bucket b's last
/// gradient and copies that bucket into a mapped readback buffer, so the host can reduce it while the rest of the
/// backward still runs; the last backward segment also reads back the graph's outputs and the round-trip tensors
/// (BN running statistics to broadcast). The optimizer segment first copies the host's reduced gradients (and
/// round-trip values) from a mapped upload buffer into the gradient tensors, then runs the SGD passes.
/// Buckets follow the order in which backward finishes gradients (PyTorch DDP's reverse order), at most
/// <c>bucketBytes</c> each (a larger tensor travels alone). Everything is recorded once, here.
/// </summary>
public sealed class SegmentedStep : IDisposable
{
    readonly CompiledGraph _graph;
    readonly CommandList _passes;
    readonly CommandRecorder _recorder;
    readonly CommandList[] _backward;
    readonly CommandList _optimizer;
    readonly Buffer _gradOut, _gradIn, _tripOut, _tripIn;

    public IReadOnlyList<GradientBucket> Buckets { get; }
    /// <summary>Floats of every parameter gradient together.</summary>
    public int GradientFloats { get; }
    /// <summary>Tensors that go to the host after backward and come back before the optimizer (e.g. BN running statistics).</summary>
    public IReadOnlyList<Tensor> RoundTrip { get; }
    public int RoundTripFloats { get; }

    SegmentedStep(CompiledGraph graph, long bucketBytes, IReadOnlyList<Tensor> roundTrip)
    {
        if (bucketBytes <= 0) throw new ArgumentOutOfRangeException(nameof(bucketBytes), bucketBytes, "A bucket holds at least one byte.");
        _graph = graph;
        var plan = graph.Plan;
        var device = graph.Device;
        var passes = plan.Passes;
        int firstOptimizer = passes.Count;
        for (int i = 0; i < passes.Count; i++)
            if (passes[i].Phase == OpPhase.Optimizer) { firstOptimizer = i; break; }
        for (int i = firstOptimizer; i < passes.Count; i++)
            if (passes[i].Phase != OpPhase.Optimizer)
                throw new InvalidOperationException($"Pass '{passes[i].Name}' runs after the first optimizer pass; the step cannot be split before the optimizer.");
        if (firstOptimizer == passes.Count) throw new ArgumentException("The graph has no optimizer passes: it is not a training step.");

        // The last pass that writes each parameter gradient: from there on the gradient is final.
        var lastWrite = new Dictionary<TensorId, int>();
        for (int i = 0; i < firstOptimizer; i++)
            foreach (var id in passes[i].WriteTensors)
                lastWrite[id] = i;
        var grads = graph.Graph.ReferencedTensors().Where(t => t.Kind == TensorKind.ParameterGradient && lastWrite.ContainsKey(t.Id))
            .OrderBy(t => lastWrite[t.Id]).ThenBy(t => t.Id.Index).ToList();
        if (grads.Count == 0) throw new ArgumentException("The graph writes no parameter gradients.");

        var buckets = new List<GradientBucket>();
        var current = new List<Tensor>();
        int offset = 0, count = 0;
        foreach (var g in grads)
        {
            if (current.Count > 0 && 4L * (count + g.Shape.ElementCount) > bucketBytes)
            {
                buckets.Add(new GradientBucket(buckets.Count, current, offset, count, lastWrite[current[^1].Id]));
                offset += count;
                count = 0;
                current = [];
            }
            current.Add(g);
            count += (int)g.Shape.ElementCount;
        }
        buckets.Add(new GradientBucket(buckets.Count, current, offset, count, firstOptimizer - 1)); // the last segment ends the backward
        Buckets = buckets;
        GradientFloats = offset + count;
        RoundTrip = roundTrip;
        RoundTripFloats = (int)roundTrip.Sum(t => t.Shape.ElementCount);

        _gradOut = device.CreateBuffer(4L * GradientFloats, MemoryKind.Readback, "step.gradients.local");
        _gradIn = device.CreateBuffer(4L * GradientFloats, MemoryKind.Upload, "step.gradients.reduced");
        _tripOut = device.CreateBuffer(Math.Max(16, 4L * RoundTripFloats), MemoryKind.Readback, "step.roundtrip.out");
        _tripIn = device.CreateBuffer(Math.Max(16, 4L * RoundTripFloats), MemoryKind.Upload, "step.roundtrip.in");

        // Record every pass once into a kept list, noting where each pass ends.
        _passes = new CommandList(device);
        _recorder = graph.CreateRecorder(_passes);
        var slices = graph.ResourceSlices;
        var passEnd = new int[passes.Count];
        graph.RecordPasses(_recorder, i => passEnd[i] = _passes.Count);

        _backward = new CommandList[buckets.Count];
        int start = 0;
        for (int b = 0; b < buckets.Count; b++)
        {
            var cl = _backward[b] = device.CreateCommandList();
            cl.Begin(reusable: true);
            if (b == 0) graph.RecordUploads(cl, slices);
            int end = passEnd[buckets[b].LastPass];
            cl.Append(_passes, start, end);
            start = end;
            cl.ComputeToTransferBarrier();
            long o = 4L * buckets[b].Offset;
            foreach (var g in buckets[b].Gradients) { cl.Copy(graph.Slice(g).Slice(0, g.Bytes), _gradOut.Slice(o, g.Bytes)); o += g.Bytes; }
            if (b == buckets.Count - 1)
            {
                o = 0;
                foreach (var t in roundTrip) { cl.Copy(graph.Slice(t).Slice(0, t.Bytes), _tripOut.Slice(o, t.Bytes)); o += t.Bytes; }
                graph.RecordReadbacks(cl, slices);
            }
            cl.TransferToHostBarrier();
            cl.End();
        }

        _optimizer = device.CreateCommandList();
        _optimizer.Begin(reusable: true);
        _optimizer.FullBarrier(); // the copies above read these gradients; the optimizer's copies overwrite them
        long q = 0;
        foreach (var b in buckets)
            foreach (var g in b.Gradients) { _optimizer.Copy(_gradIn.Slice(q, g.Bytes), graph.Slice(g).Slice(0, g.Bytes)); q += g.Bytes; }
        q = 0;
        foreach (var t in roundTrip) { _optimizer.Copy(_tripIn.Slice(q, t.Bytes), graph.Slice(t).Slice(0, t.Bytes)); q += t.Bytes; }
        _optimizer.TransferToComputeBarrier();
        _optimizer.Append(_passes, start, _passes.Count);
        _optimizer.End();
    }

    /// <summary>Splits a compiled training step into bucket segments and an optimizer segment.</summary>
    /// <param name="roundTrip">persistent tensors the host may replace between backward and optimizer (e.g. running statistics)</param>
    public static SegmentedStep Create(CompiledGraph graph, long bucketBytes, IReadOnlyList<Tensor>? roundTrip = null)
    {
        roundTrip ??= [];
        foreach (var t in roundTrip)
            if (t.IsTransient) throw new ArgumentException($"'{t.Name}' is transient; only persistent tensors can round-trip.");
        return new SegmentedStep(graph, bucketBytes, roundTrip);
    }

    public CompiledGraph Graph => _graph;

    /// <summary>Submits forward and backward (every bucket segment, in order); returns at once.</summary>
    public void SubmitBackward()
    {
        foreach (var cl in _backward) cl.Submit();
    }

    /// <summary>Waits up to <paramref name="timeout"/> for bucket <paramref name="bucket"/>'s gradients to reach the host.</summary>
    public bool TryWaitBucket(int bucket, TimeSpan timeout) => _backward[bucket].TryWait(timeout);

    /// <summary>Bucket <paramref name="bucket"/>'s gradients of this rank's last backward (valid once its segment finished).</summary>
    public ReadOnlySpan<float> LocalGradients(int bucket)
    {
        var b = Buckets[bucket];
        return MemoryMarshal.Cast<byte, float>(_gradOut.MappedBytes).Slice(b.Offset, b.Count);
    }

    /// <summary>Where the host writes the gradients the optimizer applies (mapped; stays put while this step lives).</summary>
    public Span<float> ReducedGradients(int bucket)
    {
        var b = Buckets[bucket];
        return MemoryMarshal.Cast<byte, float>(_gradIn.MappedBytes).Slice(b.Offset, b.Count);
    }

    /// <summary>The round-trip tensors after the last backward, in <see cref="RoundTrip"/> order.</summary>
    public ReadOnlySpan<float> RoundTripOut => MemoryMarshal.Cast<byte, float>(_tripOut.MappedBytes)[..RoundTripFloats];
    /// <summary>What the optimizer segment writes back into the round-trip tensors.</summary>
    public Span<float> RoundTripIn => MemoryMarshal.Cast<byte, float>(_tripIn.MappedBytes)[..RoundTripFloats];

    /// <summary>Copies the reduced gradients in and runs the optimizer; returns at once.</summary>
    public void SubmitOptimizer() => _optimizer.Submit();

    public void WaitOptimizer() => _optimizer.Wait();

    public void Dispose()
    {
        foreach (var cl in _backward) cl.Wait();
        _optimizer.Wait();
        foreach (var cl in _backward) cl.Dispose();
        _optimizer.Dispose();
        _recorder.Dispose();
        _gradOut.Dispose();
        _gradIn.Dispose();
        _tripOut.Dispose();
        _tripIn.Dispose();
    }
}
