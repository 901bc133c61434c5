using System.Runtime.InteropServices;
using VkResNet.Graph.Compiler;
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
/// One of SyncBatchNorm's per-channel [2C] sums (the output of a BatchNormStats or BatchNormBackwardStats pass) that the
/// host all-reduces between two segments: floats [Offset, Offset + Count) of the flat sums layout.
/// </summary>
public sealed record BatchNormSum(int Index, Tensor Sums, int Pass, int Offset)
{
    public int Count => (int)Sums.Shape.ElementCount;
}

/// <summary>One command buffer of the split step: the passes up to <c>EndPass</c>, then the readback of the buckets and the BN sum that end there.</summary>
public sealed record StepSegment(int Index, int EndPass, IReadOnlyList<GradientBucket> Buckets, BatchNormSum? Sum);

/// <summary>
/// A training step recorded again as a chain of command buffers split at gradient-bucket boundaries, for gradient
/// accumulation and data-parallel training. Segment b runs the passes up to the one that writes bucket b's last
/// gradient and copies that bucket into a mapped readback buffer, so the host can reduce it while the rest of the
/// backward still runs; the last backward segment also reads back the graph's outputs and the round-trip tensors
/// (BN running statistics to broadcast). The optimizer segment first copies the host's reduced gradients (and
/// round-trip values) from a mapped upload buffer into the gradient tensors, then runs the SGD passes.
/// Buckets follow the order in which backward finishes gradients (PyTorch DDP's reverse order), at most
/// <c>bucketBytes</c> each (a larger tensor travels alone). For SyncBatchNorm the step also ends a segment after every
/// BatchNormStats and BatchNormBackwardStats pass: that segment copies the pass's [2C] sums into a mapped readback
/// buffer, and the next one starts by copying the host's all-reduced sums from a mapped upload buffer over them, so
/// the segment after such a cut is submitted only once the host has the sum. Everything is recorded once, here.
/// </summary>
public sealed class SegmentedStep : IDisposable
{
    readonly CompiledGraph _graph;
    readonly CommandList _passes;
    readonly CommandRecorder _recorder;
    readonly CommandList[] _backward;
    readonly CommandList _optimizer;
    readonly Buffer _gradOut, _gradIn, _tripOut, _tripIn, _sumsOut, _sumsIn;
    readonly int[] _segmentOfBucket;

    public IReadOnlyList<GradientBucket> Buckets { get; }
    /// <summary>The command buffers of forward and backward, in order; the optimizer segment follows them.</summary>
    public IReadOnlyList<StepSegment> Segments { get; }
    /// <summary>SyncBatchNorm's sums the host all-reduces between segments, in pass order (empty unless split for them).</summary>
    public IReadOnlyList<BatchNormSum> BatchNormSums { get; }
    /// <summary>Floats of every parameter gradient together.</summary>
    public int GradientFloats { get; }
    /// <summary>Tensors that go to the host after backward and come back before the optimizer (e.g. BN running statistics).</summary>
    public IReadOnlyList<Tensor> RoundTrip { get; }
    public int RoundTripFloats { get; }

    SegmentedStep(CompiledGraph graph, long bucketBytes, IReadOnlyList<Tensor> roundTrip, bool syncBatchNorm)
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

        // SyncBatchNorm: a cut after every pass whose [2C] sums a later pass reads (forward and backward statistics).
        var sums = new List<BatchNormSum>();
        int sumFloats = 0;
        if (syncBatchNorm)
            for (int i = 0; i < firstOptimizer; i++)
                if (graph.Graph.Ops[passes[i].OpIndex] switch { BatchNormStatsOp f => f.Stats, BatchNormBackwardStatsOp b => b.Sums, _ => null } is { } t
                    && passes.Skip(i + 1).Take(firstOptimizer - i - 1).Any(p => p.ReadTensors.Contains(t.Id)))
                {
                    sums.Add(new BatchNormSum(sums.Count, t, i, sumFloats));
                    sumFloats += (int)t.Shape.ElementCount;
                }
        if (syncBatchNorm && sums.Count == 0)
            throw new ArgumentException("The graph has no SyncBatchNorm statistics passes: build it with ResNetBuildOptions(SyncBatchNormRanks: ranks).");
        BatchNormSums = sums;
        var ends = buckets.Select(b => b.LastPass).Concat(sums.Select(x => x.Pass)).Distinct().Order().ToList();
        Segments = ends.Select((e, i) => new StepSegment(i, e, buckets.Where(b => b.LastPass == e).ToList(), sums.FirstOrDefault(x => x.Pass == e))).ToList();
        _segmentOfBucket = new int[buckets.Count];
        foreach (var seg in Segments)
            foreach (var b in seg.Buckets) _segmentOfBucket[b.Index] = seg.Index;

        _gradOut = device.CreateBuffer(4L * GradientFloats, MemoryKind.Readback, "step.gradients.local");
        _gradIn = device.CreateBuffer(4L * GradientFloats, MemoryKind.Upload, "step.gradients.reduced");
        _tripOut = device.CreateBuffer(Math.Max(16, 4L * RoundTripFloats), MemoryKind.Readback, "step.roundtrip.out");
        _tripIn = device.CreateBuffer(Math.Max(16, 4L * RoundTripFloats), MemoryKind.Upload, "step.roundtrip.in");
        _sumsOut = device.CreateBuffer(Math.Max(16, 4L * sumFloats), MemoryKind.Readback, "step.bn_sums.local");
        _sumsIn = device.CreateBuffer(Math.Max(16, 4L * sumFloats), MemoryKind.Upload, "step.bn_sums.reduced");

        // Record every pass once into a kept list, noting where each pass ends.
        _passes = new CommandList(device);
        _recorder = graph.CreateRecorder(_passes);
        var slices = graph.ResourceSlices;
        var passEnd = new int[passes.Count];
        graph.RecordPasses(_recorder, i => passEnd[i] = _passes.Count);

        _backward = new CommandList[Segments.Count];
        int start = 0;
        for (int i = 0; i < Segments.Count; i++)
        {
            var seg = Segments[i];
            var cl = _backward[i] = device.CreateCommandList();
            cl.Begin(reusable: true);
            if (i == 0) graph.RecordUploads(cl, slices);
            else if (Segments[i - 1].Sum is { } reduced)
            {
                cl.Edge(PlanEdge.Overwrite); // after the previous segment's compute and its copy out of these sums
                cl.Copy(_sumsIn.Slice(4L * reduced.Offset, reduced.Sums.Bytes), graph.Slice(reduced.Sums).Slice(0, reduced.Sums.Bytes));
                cl.Edge(PlanEdge.TransfersIn);
            }
            int end = passEnd[seg.EndPass];
            cl.Append(_passes, start, end);
            start = end;
            cl.Edge(PlanEdge.TransfersOut);
            foreach (var b in seg.Buckets)
            {
                long o = 4L * b.Offset;
                foreach (var g in b.Gradients) { cl.Copy(graph.Slice(g).Slice(0, g.Bytes), _gradOut.Slice(o, g.Bytes)); o += g.Bytes; }
            }
            if (seg.Sum is { } local)
                cl.Copy(graph.Slice(local.Sums).Slice(0, local.Sums.Bytes), _sumsOut.Slice(4L * local.Offset, local.Sums.Bytes));
            if (i == Segments.Count - 1)
            {
                long o = 0;
                foreach (var t in roundTrip) { cl.Copy(graph.Slice(t).Slice(0, t.Bytes), _tripOut.Slice(o, t.Bytes)); o += t.Bytes; }
                graph.RecordReadbackCopies(cl, slices); // within this segment's own TransfersOut and HostReads edges
            }
            cl.Edge(PlanEdge.HostReads);
            cl.End();
        }

        _optimizer = device.CreateCommandList();
        _optimizer.Begin(reusable: true);
        _optimizer.Edge(PlanEdge.Overwrite); // the copies above read these gradients; the optimizer's copies overwrite them
        long q = 0;
        foreach (var b in buckets)
            foreach (var g in b.Gradients) { _optimizer.Copy(_gradIn.Slice(q, g.Bytes), graph.Slice(g).Slice(0, g.Bytes)); q += g.Bytes; }
        q = 0;
        foreach (var t in roundTrip) { _optimizer.Copy(_tripIn.Slice(q, t.Bytes), graph.Slice(t).Slice(0, t.Bytes)); q += t.Bytes; }
        _optimizer.Edge(PlanEdge.TransfersIn);
        _optimizer.Append(_passes, start, _passes.Count);
        _optimizer.End();
    }

    /// <summary>Splits a compiled training step into bucket segments and an optimizer segment.</summary>
    /// <param name="roundTrip">persistent tensors the host may replace between backward and optimizer (e.g. running statistics)</param>
    /// <param name="syncBatchNorm">also end a segment after every SyncBatchNorm statistics pass, for the host to all-reduce its sums</param>
    public static SegmentedStep Create(CompiledGraph graph, long bucketBytes, IReadOnlyList<Tensor>? roundTrip = null, bool syncBatchNorm = false)
    {
        roundTrip ??= [];
        foreach (var t in roundTrip)
            if (t.IsTransient) throw new ArgumentException($"'{t.Name}' is transient; only persistent tensors can round-trip.");
        return new SegmentedStep(graph, bucketBytes, roundTrip, syncBatchNorm);
    }

    public CompiledGraph Graph => _graph;

    /// <summary>
    /// Submits the segments from <paramref name="first"/> on, up to and including the next that ends with a BN sum (the one
    /// after it needs the host's all-reduced sum first), or all of them; returns the index of the first not submitted.
    /// </summary>
    public int SubmitFrom(int first)
    {
        int s = first;
        while (s < _backward.Length)
        {
            _backward[s].Submit();
            if (Segments[s++].Sum != null) break;
        }
        return s;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for segment <paramref name="segment"/> to finish (its buckets and sum on the host).</summary>
    public bool TryWaitSegment(int segment, TimeSpan timeout) => _backward[segment].TryWait(timeout);

    /// <summary>Waits up to <paramref name="timeout"/> for bucket <paramref name="bucket"/>'s gradients to reach the host.</summary>
    public bool TryWaitBucket(int bucket, TimeSpan timeout) => _backward[_segmentOfBucket[bucket]].TryWait(timeout);

    /// <summary>BN sum <paramref name="sum"/> as this rank's pass wrote it (valid once its segment finished).</summary>
    public ReadOnlySpan<float> LocalSums(int sum) => Floats(_sumsOut, BatchNormSums[sum].Offset, BatchNormSums[sum].Count);

    /// <summary>Where the host writes BN sum <paramref name="sum"/> over all ranks before the next segment is submitted (mapped).</summary>
    public Span<float> ReducedSums(int sum) => Floats(_sumsIn, BatchNormSums[sum].Offset, BatchNormSums[sum].Count);

    /// <summary>Bucket <paramref name="bucket"/>'s gradients of this rank's last backward (valid once its segment finished).</summary>
    public ReadOnlySpan<float> LocalGradients(int bucket) => Floats(_gradOut, Buckets[bucket].Offset, Buckets[bucket].Count);

    /// <summary>Where the host writes the gradients the optimizer applies (mapped; stays put while this step lives).</summary>
    public Span<float> ReducedGradients(int bucket) => Floats(_gradIn, Buckets[bucket].Offset, Buckets[bucket].Count);

    static Span<float> Floats(Buffer mapped, int offset, int count) => MemoryMarshal.Cast<byte, float>(mapped.MappedBytes).Slice(offset, count);

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
        _sumsOut.Dispose();
        _sumsIn.Dispose();
    }
}
