namespace VkResNet.Graph.Data;

/// <summary>
/// Produces float32 NCHW batches and int32 labels into caller buffers (e.g. a mapped staging buffer),
/// epoch after epoch without end. With Prefetch a worker thread fills two internal slots ahead of the
/// caller (double buffering), so loading and augmenting overlap the GPU's step; Next() only copies a slot out.
/// Every batch depends only on (seed, epoch, batch index), so the output is the same with or without
/// prefetch and across resumes. Nothing is allocated per batch in steady state.
/// </summary>
public sealed class BatchLoader : IDisposable
{
    private const int SlotCount = 2;

    private readonly Dataset _data;
    private readonly BatchLoaderOptions _options;
    private readonly float[] _lut;
    private readonly int[] _permutation; // this shard's samples of the epoch
    private readonly int[] _fullPermutation; // the whole epoch's (the same on every shard)
    private int _permutationEpoch = int.MinValue;

    // Prefetch state: the worker owns slot (g % 2) between free.Wait and filled.Release.
    private readonly float[][] _slotImages = new float[SlotCount][];
    private readonly int[][] _slotLabels = new int[SlotCount][];
    private readonly BatchInfo[] _slotInfo = new BatchInfo[SlotCount];
    private SemaphoreSlim? _free, _filled;
    private Thread? _worker;
    private volatile bool _stopping;
    private Exception? _workerError;
    private long _workerAllocatedBytes;

    private int _startEpoch;
    private long _consumed; // batches handed out since the last Reset
    private bool _disposed;

    public BatchLoader(Dataset data, BatchLoaderOptions options, int startEpoch = 0)
    {
        if (options.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), "batch size must be positive");
        options.Normalization.Validate(data.Channels);
        if (options.Augmentation.Padding < 0) throw new ArgumentOutOfRangeException(nameof(options), "padding must not be negative");
        if (options.ShardCount < 1 || options.ShardIndex < 0 || options.ShardIndex >= options.ShardCount)
            throw new ArgumentOutOfRangeException(nameof(options), $"shard {options.ShardIndex} of {options.ShardCount} does not exist");
        int samples = ShardLength(data.Count, options.ShardCount);
        if (data.Count == 0 || (options.DropLast && samples < options.BatchSize))
            throw new ArgumentException($"{data.Name}: {data.Count} images make no batch of {options.BatchSize}" +
                                        (options.ShardCount > 1 ? $" on each of {options.ShardCount} shards" : ""));
        _data = data;
        _options = options;
        _lut = options.Normalization.BuildLookup();
        _permutation = new int[samples];
        _fullPermutation = options.ShardCount > 1 ? new int[data.Count] : _permutation;
        BatchesPerEpoch = options.DropLast ? samples / options.BatchSize : (samples + options.BatchSize - 1) / options.BatchSize;
        if (options.Prefetch)
        {
            for (int s = 0; s < SlotCount; s++)
            {
                _slotImages[s] = new float[BatchFloats];
                _slotLabels[s] = new int[BatchSize];
            }
        }
        Reset(startEpoch);
    }

    /// <summary>Samples one shard sees per epoch: ceil(count / shards), as DistributedSampler pads.</summary>
    public static int ShardLength(int count, int shards) => (count + shards - 1) / shards;

    /// <summary>The dataset indices this shard sees in <paramref name="epoch"/>, in order (tests, and resumable sampling).</summary>
    public int[] ShardIndices(int epoch)
    {
        if (_options.Prefetch) throw new InvalidOperationException("ShardIndices reads the permutation the prefetch worker uses; create the loader with Prefetch = false.");
        EnsurePermutation(epoch);
        return (int[])_permutation.Clone();
    }

    public Dataset Dataset => _data;
    public int BatchSize => _options.BatchSize;
    public int BatchesPerEpoch { get; }
    public int ImageFloats => _data.ImageBytes;
    /// <summary>Floats one batch occupies: BatchSize x C x H x W.</summary>
    public int BatchFloats => BatchSize * _data.ImageBytes;
    public int Channels => _data.Channels;
    public int Height => _data.Height;
    public int Width => _data.Width;

    /// <summary>Bytes the worker thread allocated while producing batches after its first two (for tests).</summary>
    internal long WorkerSteadyStateAllocatedBytes => Interlocked.Read(ref _workerAllocatedBytes);

    /// <summary>Restarts the stream at the first batch of <paramref name="epoch"/> (e.g. when resuming a checkpoint).</summary>
    public void Reset(int epoch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        StopWorker();
        _startEpoch = epoch;
        _consumed = 0;
        if (!_options.Prefetch) return;
        _stopping = false;
        _workerError = null;
        _free = new SemaphoreSlim(SlotCount);
        _filled = new SemaphoreSlim(0);
        _worker = new Thread(WorkerLoop) { IsBackground = true, Name = $"BatchLoader {_data.Name}" };
        _worker.Start();
    }

    /// <summary>
    /// Writes the next batch into <paramref name="images"/> (at least BatchFloats) and <paramref name="labels"/>
    /// (at least BatchSize). A short last batch is padded with zero images and label -1.
    /// </summary>
    public BatchInfo Next(Span<float> images, Span<int> labels)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (images.Length < BatchFloats) throw new ArgumentException($"image buffer holds {images.Length} floats, a batch needs {BatchFloats}");
        if (labels.Length < BatchSize) throw new ArgumentException($"label buffer holds {labels.Length} ints, a batch needs {BatchSize}");
        long g = _consumed++;
        if (!_options.Prefetch)
        {
            (int epoch, int index) = Locate(g);
            return Fill(epoch, index, images, labels);
        }
        if (_workerError is null) _filled!.Wait();
        if (_workerError is not null) throw new InvalidOperationException($"batch loader worker failed: {_workerError.Message}", _workerError);
        int slot = (int)(g % SlotCount);
        _slotImages[slot].AsSpan().CopyTo(images);
        _slotLabels[slot].AsSpan().CopyTo(labels);
        BatchInfo info = _slotInfo[slot];
        _free!.Release();
        return info;
    }

    private (int Epoch, int Index) Locate(long g) => (checked(_startEpoch + (int)(g / BatchesPerEpoch)), (int)(g % BatchesPerEpoch));

    private void WorkerLoop()
    {
        try
        {
            for (long g = 0; ; g++)
            {
                _free!.Wait();
                if (_stopping) return;
                long before = GC.GetAllocatedBytesForCurrentThread();
                int slot = (int)(g % SlotCount);
                (int epoch, int index) = Locate(g);
                _slotInfo[slot] = Fill(epoch, index, _slotImages[slot], _slotLabels[slot]);
                if (g >= SlotCount) Interlocked.Add(ref _workerAllocatedBytes, GC.GetAllocatedBytesForCurrentThread() - before);
                _filled!.Release();
            }
        }
        catch (Exception e)
        {
            _workerError = e;
            _filled!.Release();
        }
    }

    private BatchInfo Fill(int epoch, int index, Span<float> images, Span<int> labels)
    {
        EnsurePermutation(epoch);
        int start = index * BatchSize;
        int count = Math.Min(BatchSize, _permutation.Length - start);
        int imageFloats = _data.ImageBytes;
        // Each shard's batch draws its own augmentation stream; one shard: (seed, epoch, index + 1) as before sharding.
        var rng = SplitMix64.For(_options.Seed, epoch, (long)index * _options.ShardCount + _options.ShardIndex + 1L);
        Augmentation aug = _options.Augmentation;
        int pad = aug.RandomCrop ? aug.Padding : 0;
        for (int i = 0; i < count; i++)
        {
            int sample = _permutation[start + i];
            int dy = pad > 0 ? rng.NextInt(2 * pad + 1) - pad : 0;
            int dx = pad > 0 ? rng.NextInt(2 * pad + 1) - pad : 0;
            bool flip = aug.HorizontalFlip && rng.NextBool();
            ImageTransform.CropNormalize(_data.GetImage(sample), _data.Channels, _data.Height, _data.Width, dy, dx,
                                         _data.Height, _data.Width, flip, _lut, images.Slice(i * imageFloats, imageFloats));
            labels[i] = _data.GetLabel(sample);
        }
        images.Slice(count * imageFloats, (BatchSize - count) * imageFloats).Clear();
        labels.Slice(count, BatchSize - count).Fill(-1);
        return new BatchInfo(epoch, index, count, index == BatchesPerEpoch - 1);
    }

    private void EnsurePermutation(int epoch)
    {
        if (_permutationEpoch == epoch) return;
        var full = _fullPermutation;
        for (int i = 0; i < full.Length; i++) full[i] = i;
        if (_options.Shuffle)
        {
            // Fisher-Yates from the identity, seeded by (seed, epoch) only.
            var rng = SplitMix64.For(_options.Seed, epoch, 0);
            for (int i = full.Length - 1; i > 0; i--)
            {
                int j = rng.NextInt(i + 1);
                (full[i], full[j]) = (full[j], full[i]);
            }
        }
        if (_options.ShardCount > 1)
        {
            // Position p of the padded epoch is full[p mod count]; this shard takes p = index, index + R, ...
            int r = _options.ShardCount;
            for (int i = 0; i < _permutation.Length; i++)
                _permutation[i] = full[(i * r + _options.ShardIndex) % full.Length];
        }
        _permutationEpoch = epoch;
    }

    private void StopWorker()
    {
        if (_worker is null) return;
        _stopping = true;
        _free!.Release(); // wake the worker if it waits for a free slot; it sees _stopping and exits
        _worker.Join();
        _worker = null;
        _free.Dispose();
        _filled!.Dispose();
        _free = _filled = null;
    }

    public void Dispose()
    {
        _disposed = true;
        StopWorker();
    }
}
