using System.Diagnostics;
using System.Runtime.InteropServices;
using VkResNet.Graph.Data;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Models;

namespace VkResNet.Graph.Training;

/// <summary>
/// Where one step's wall time went (seconds): forward + backward with the host's gradient sums; the wait for the
/// all-reduces after backward ended (the exposed part); the window from the first bucket's all-reduce start to the
/// last one's end (an upper bound of the all-reduce time, waits for slower ranks included); the optimizer.
/// </summary>
public sealed record StepTimes(double Step, double Backward, double ExposedAllReduce, double AllReduceWindow, double Optimizer)
{
    public static StepTimes operator +(StepTimes a, StepTimes b) => new(a.Step + b.Step, a.Backward + b.Backward,
        a.ExposedAllReduce + b.ExposedAllReduce, a.AllReduceWindow + b.AllReduceWindow, a.Optimizer + b.Optimizer);
}

/// <summary>
/// One optimizer step over K micro-batches on this device, and over the ranks of a job when a reducer is given
/// (DDP semantics): forward + backward per micro-batch, its gradients summed on the host bucket by bucket as they
/// arrive; on the last micro-batch each bucket's sum starts its all-reduce as soon as it is on the host, while the
/// backward still runs. The optimizer applies sum / (K x ranks), the mean gradient of the global batch.
/// Micro-batch k of rank r reads shard r K + k of R = K x ranks (DistributedSampler order), so one device with
/// --accumulate 2 sees exactly the images of two ranks with --accumulate 1, and computes the same sums.
/// BN running statistics follow DDP's broadcast_buffers: rank 0's replace every rank's after each step.
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

    /// <param name="checkEvery">compare a checksum of the weights across ranks every N steps (0: never)</param>
    public DataParallelStep(CompiledGraph step, ResNetModel model, Dataset train, BatchLoaderOptions loader, int accumulate,
                            IGradientReducer? reducer, long bucketBytes, int checkEvery, int startEpoch)
    {
        if (accumulate < 1) throw new ArgumentOutOfRangeException(nameof(accumulate), accumulate, "accumulate at least one micro-batch");
        _model = model;
        _reducer = reducer;
        Accumulate = accumulate;
        _checkEvery = checkEvery;
        var runningStats = step.Graph.ReferencedTensors().Where(t => t.Kind == TensorKind.RunningStat && step.Plan.TryGetPlacement(t.Id, out _)).ToArray();
        _segments = SegmentedStep.Create(step, bucketBytes, reducer != null ? runningStats : []);
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
        var clock = Stopwatch.StartNew();
        var graph = _segments.Graph;
        var images = graph.Input(_model.Input);
        var labels = graph.Labels(_model.Labels!);
        graph.Input(_model.LearningRate!)[0] = lr;
        _reducer?.Arrive(stepIndex);
        double loss = 0, correct = 0, firstReduce = 0;
        Array.Clear(_scaled);
        for (int k = 0; k < Accumulate; k++)
        {
            _loaders[k].Next(images, labels);
            double submitted = clock.Elapsed.TotalSeconds;
            _segments.SubmitBackward();
            bool last = k == Accumulate - 1;
            foreach (var bucket in _segments.Buckets)
            {
                while (!_segments.TryWaitBucket(bucket.Index, Poll))
                    ScaleReduced(bucket.Index);
                _ready[bucket.Index] = clock.Elapsed.TotalSeconds - submitted;
                var local = _segments.LocalGradients(bucket.Index);
                var sum = _sum.AsSpan(bucket.Offset, bucket.Count);
                if (k == 0) local.CopyTo(sum);
                else for (int i = 0; i < sum.Length; i++) sum[i] += local[i];
                if (!last || _reducer == null) continue;
                if (bucket.Index == 0) firstReduce = clock.Elapsed.TotalSeconds;
                _reducer.BeginAllReduce(bucket.Index, sum, _segments.ReducedGradients(bucket.Index));
            }
            var output = graph.Output(_model.Loss!);
            loss += output[0];
            correct += output[1];
        }
        double backward = clock.Elapsed.TotalSeconds;
        double exposed = 0, window = 0;
        if (_reducer != null)
        {
            exposed = _reducer.WaitAll();
            window = clock.Elapsed.TotalSeconds - firstReduce;
            foreach (var bucket in _segments.Buckets)
                if (!_scaled[bucket.Index]) Scale(_segments.ReducedGradients(bucket.Index), _scale);
            // broadcast_buffers: rank 0's running statistics everywhere.
            var stats = _segments.RoundTripIn;
            if (_reducer.Rank == 0) _segments.RoundTripOut.CopyTo(stats);
            _reducer.Broadcast(MemoryMarshal.AsBytes(stats));
        }
        else
        {
            foreach (var bucket in _segments.Buckets)
            {
                var reduced = _segments.ReducedGradients(bucket.Index);
                _sum.AsSpan(bucket.Offset, bucket.Count).CopyTo(reduced);
                Scale(reduced, _scale);
            }
        }
        double beforeOptimizer = clock.Elapsed.TotalSeconds;
        _segments.SubmitOptimizer();
        _segments.WaitOptimizer();
        LastTimes = new StepTimes(clock.Elapsed.TotalSeconds, backward, exposed, window, clock.Elapsed.TotalSeconds - beforeOptimizer);
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
