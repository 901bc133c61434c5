using System.Diagnostics;
using System.Runtime.InteropServices;
using VkResNet.Graph.Data;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Models;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Training;

/// <summary>
/// Where one step's wall time went (seconds): forward + backward with the host's gradient sums; the wait for the
/// all-reduces after backward ended (the exposed part); the window from the first bucket's all-reduce start to the
/// last one's end (an upper bound of the all-reduce time, waits for slower ranks included); the optimizer; with
/// SyncBatchNorm, the host's all-reduces of the BN sums between segments (inside Backward; the device idles meanwhile,
/// and waits for slower ranks count).
/// </summary>
public readonly record struct StepTimes(double Step, double Backward, double ExposedAllReduce, double AllReduceWindow, double Optimizer, double BatchNormAllReduce = 0)
{
    public static StepTimes operator +(StepTimes a, StepTimes b) => new(a.Step + b.Step, a.Backward + b.Backward,
        a.ExposedAllReduce + b.ExposedAllReduce, a.AllReduceWindow + b.AllReduceWindow, a.Optimizer + b.Optimizer,
        a.BatchNormAllReduce + b.BatchNormAllReduce);
}

/// <summary>
/// One optimizer step over K micro-batches on this device, and over the ranks of a job when a reducer is given
/// (DDP semantics): forward + backward per micro-batch, its gradients summed on the host bucket by bucket as they
/// arrive; on the last micro-batch each bucket's sum starts its all-reduce as soon as it is on the host, while the
/// backward still runs. The optimizer applies sum / (K x ranks), the mean gradient of the global batch.
/// Micro-batch k of rank r reads shard r K + k of R = K x ranks (DistributedSampler order), so one device with
/// --accumulate 2 sees exactly the images of two ranks with --accumulate 1, and computes the same sums.
/// BN running statistics follow DDP's broadcast_buffers: rank 0's replace every rank's after each step.
/// With SyncBatchNorm (a graph built with SyncBatchNormRanks = ranks) every BN pass's [2C] sums, forward and backward, are
/// all-reduced (summed) between segments, in pass order on every rank, between the gradient buckets begun before and
/// after; every rank then computes the same batch statistics and running statistics, so the broadcast changes nothing.
/// </summary>
public sealed class DataParallelStep : IDisposable
{
    readonly SegmentedStep _segments;
    readonly ResNetModel _model;
    readonly IGradientReducer? _reducer;
    readonly BatchLoader[] _loaders;
    readonly float[] _sum; // pinned: MPI reads it while backward still runs
    readonly float _scale;
    readonly int _checkEvery;
    readonly Tensor[] _persistent;
    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(1);

    public int Accumulate { get; }
    public int Ranks => _reducer?.WorldSize ?? 1;
    public IReadOnlyList<GradientBucket> Buckets => _segments.Buckets;
    public StepTimes? LastTimes { get; private set; }
    /// <summary>Seconds from the last micro-batch's submit to each bucket's gradients reaching the host, in the last step.</summary>
    public ReadOnlySpan<double> BucketReadySeconds => _ready;
    readonly double[] _ready;
    readonly bool[] _scaled; // this step's bucket already reduced and divided
    public int BatchesPerEpoch => _loaders[0].BatchesPerEpoch;
    /// <summary>SyncBatchNorm: the BN sums all-reduced between segments per micro-batch (0: per-replica BN).</summary>
    public int BatchNormAllReduces => _segments.BatchNormSums.Count;

    /// <param name="checkEvery">compare a checksum of the weights across ranks every N steps (0: never)</param>
    /// <param name="syncBatchNorm">the graph's BN is SyncBatchNorm over the ranks (built with SyncBatchNormRanks = ranks): sum its statistics across them</param>
    public DataParallelStep(CompiledGraph step, ResNetModel model, Dataset train, BatchLoaderOptions loader, int accumulate,
                            IGradientReducer? reducer, long bucketBytes, int checkEvery, int startEpoch, bool syncBatchNorm = false)
    {
        if (accumulate < 1) throw new ArgumentOutOfRangeException(nameof(accumulate), accumulate, "accumulate at least one micro-batch");
        _model = model;
        _reducer = reducer;
        Accumulate = accumulate;
        _checkEvery = checkEvery;
        RequireBatchNormCounts(step.Graph, syncBatchNorm ? Ranks : 1);
        var runningStats = step.Graph.ReferencedTensors().Where(t => t.Kind == TensorKind.RunningStat && step.Plan.TryGetPlacement(t.Id, out _)).ToArray();
        _segments = SegmentedStep.Create(step, bucketBytes, reducer != null ? runningStats : [], syncBatchNorm);
        _persistent = step.Graph.ReferencedTensors()
            .Where(t => t.Kind is TensorKind.Parameter or TensorKind.RunningStat or TensorKind.OptimizerState && step.Plan.TryGetPlacement(t.Id, out _))
            .ToArray();
        _sum = GC.AllocateArray<float>(_segments.GradientFloats, pinned: true);
        _ready = new double[_segments.Buckets.Count];
        _scaled = new bool[_segments.Buckets.Count];
        int shards = accumulate * Ranks, rank = reducer?.Rank ?? 0;
        _scale = 1f / shards;
        _loaders = new BatchLoader[accumulate];
        for (int k = 0; k < accumulate; k++)
            _loaders[k] = new BatchLoader(train, loader with { ShardCount = shards, ShardIndex = rank * accumulate + k }, startEpoch);
    }

    /// <summary>Rank 0's parameters, BN buffers and momentum to every rank (start of training, and after a resume).</summary>
    public void BroadcastState()
    {
        if (_reducer == null) return;
        var step = _segments.Graph;
        foreach (var t in _persistent)
        {
            var values = step.Read(t);
            _reducer.Broadcast(MemoryMarshal.AsBytes(values.AsSpan()));
            if (_reducer.Rank != 0) step.Write(t, values);
        }
    }

    /// <summary>Runs one optimizer step at learning rate <paramref name="lr"/>; returns the loss and correct count summed over micro-batches.</summary>
    public (double Loss, double Correct) Run(long stepIndex, float lr)
    {
        long started = Stopwatch.GetTimestamp(); // a timestamp, not a Stopwatch object: a step allocates nothing
        double Now() => Stopwatch.GetElapsedTime(started).TotalSeconds;
        var graph = _segments.Graph;
        var images = graph.Input(_model.Input);
        var labels = graph.Labels(_model.Labels!);
        graph.Input(_model.LearningRate!)[0] = lr;
        _reducer?.Arrive(stepIndex);
        double loss = 0, correct = 0, firstReduce = 0;
        Array.Clear(_scaled);
        double bnSync = 0;
        int begun = 0; // buckets whose all-reduce this step started
        var segments = _segments.Segments;
        for (int k = 0; k < Accumulate; k++)
        {
            _loaders[k].Next(images, labels);
            double submitted = Now();
            int next = _segments.SubmitFrom(0); // all of them, or up to the first BN sum
            bool last = k == Accumulate - 1;
            for (int s = 0; s < segments.Count; s++) // index loops: no enumerator per step
            {
                var segment = segments[s];
                while (!_segments.TryWaitSegment(s, Poll))
                    ScaleReduced(begun);
                for (int b = 0; b < segment.Buckets.Count; b++)
                {
                    var bucket = segment.Buckets[b];
                    _ready[bucket.Index] = Now() - submitted;
                    var local = _segments.LocalGradients(bucket.Index);
                    var sum = _sum.AsSpan(bucket.Offset, bucket.Count);
                    if (k == 0) local.CopyTo(sum);
                    else for (int i = 0; i < sum.Length; i++) sum[i] += local[i];
                    if (!last || _reducer == null) continue;
                    if (bucket.Index == 0) firstReduce = Now();
                    _reducer.BeginAllReduce(bucket.Index, sum, _segments.ReducedGradients(bucket.Index));
                    begun = bucket.Index + 1;
                }
                if (segment.Sum is not { } bn) continue;
                // SyncBatchNorm: this pass's [2C] sums over every rank, before the next segment reads them.
                double t0 = Now();
                if (_reducer != null) _reducer.AllReduce(_segments.LocalSums(bn.Index), _segments.ReducedSums(bn.Index));
                else _segments.LocalSums(bn.Index).CopyTo(_segments.ReducedSums(bn.Index));
                bnSync += Now() - t0;
                next = _segments.SubmitFrom(next);
            }
            var output = graph.Output(_model.Loss!);
            loss += output[0];
            correct += output[1];
        }
        double backward = Now();
        double exposed = 0, window = 0;
        if (_reducer != null)
        {
            exposed = _reducer.WaitAll();
            window = Now() - firstReduce;
            for (int b = 0; b < _segments.Buckets.Count; b++) // index loops: no enumerator per step
                if (!_scaled[_segments.Buckets[b].Index]) Scale(_segments.ReducedGradients(_segments.Buckets[b].Index), _scale);
            // broadcast_buffers: rank 0's running statistics everywhere.
            var stats = _segments.RoundTripIn;
            if (_reducer.Rank == 0) _segments.RoundTripOut.CopyTo(stats);
            _reducer.Broadcast(MemoryMarshal.AsBytes(stats));
        }
        else
        {
            for (int b = 0; b < _segments.Buckets.Count; b++)
            {
                var bucket = _segments.Buckets[b];
                var reduced = _segments.ReducedGradients(bucket.Index);
                _sum.AsSpan(bucket.Offset, bucket.Count).CopyTo(reduced);
                Scale(reduced, _scale);
            }
        }
        double beforeOptimizer = Now();
        _segments.SubmitOptimizer();
        _segments.WaitOptimizer();
        LastTimes = new StepTimes(Now(), backward, exposed, window, Now() - beforeOptimizer, bnSync);
        if (_reducer != null && _checkEvery > 0 && (stepIndex + 1) % _checkEvery == 0)
            _reducer.RequireSameOnAllRanks(WeightChecksum(), $"the weights after step {stepIndex + 1}");
        return (loss, correct);
    }

    /// <summary>While the device computes: drives the reductions and divides each finished bucket at once (hides that host work).</summary>
    void ScaleReduced(int pending)
    {
        if (_reducer == null) return;
        _reducer.Progress();
        for (int b = 0; b < pending; b++)
            if (!_scaled[b] && _reducer.IsReduced(b))
            {
                Scale(_segments.ReducedGradients(b), _scale);
                _scaled[b] = true;
            }
    }

    /// <summary>Every split BN pass normalises over this rank's N*H*W x <paramref name="ranks"/>: the ranks whose sums it gets.</summary>
    static void RequireBatchNormCounts(FrameGraph graph, int ranks)
    {
        foreach (var op in graph.Ops.OfType<BatchNormApplyOp>())
        {
            long local = (long)op.X.Shape.N * op.X.Shape.H * op.X.Shape.W;
            if (op.Count != local * ranks)
                throw new ArgumentException($"'{op.Name}' normalises over {op.Count / local} replicas' batches, but this step sums BN statistics over {ranks} " +
                    $"(build the graph with SyncBatchNormRanks = {ranks}{(ranks == 1 ? ", or 0" : "")}).");
        }
    }

    static void Scale(Span<float> values, float scale)
    {
        for (int i = 0; i < values.Length; i++) values[i] *= scale;
    }

    /// <summary>FNV-1a over the bits of every parameter and momentum buffer, in graph order (bit-for-bit identity).</summary>
    public ulong WeightChecksum()
    {
        ulong h = 14695981039346656037UL;
        foreach (var t in _persistent.Where(t => t.Kind is TensorKind.Parameter or TensorKind.OptimizerState))
            foreach (byte b in MemoryMarshal.AsBytes(_segments.Graph.Read(t).AsSpan()))
                h = (h ^ b) * 1099511628211UL;
        return h;
    }

    public void Dispose()
    {
        foreach (var l in _loaders) l.Dispose();
        _segments.Dispose();
    }
}
