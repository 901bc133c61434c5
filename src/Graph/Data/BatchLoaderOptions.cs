namespace VkResNet.Graph.Data;

/// <summary>How a <see cref="BatchLoader"/> orders, augments and normalises batches.</summary>
public sealed record BatchLoaderOptions
{
    public int BatchSize { get; init; } = 128;
    /// <summary>A fresh permutation every epoch, drawn from (Seed, epoch) alone, so a resumed run sees the same order.</summary>
    public bool Shuffle { get; init; } = true;
    public long Seed { get; init; }
    public Augmentation Augmentation { get; init; } = Augmentation.None;
    /// <summary>Required: per-channel statistics (see <see cref="Data.Normalization"/>).</summary>
    public required Normalization Normalization { get; init; }
    /// <summary>Drop the last partial batch (training); otherwise it is padded with zeros and label -1.</summary>
    public bool DropLast { get; init; }
    /// <summary>Fill the next batches on a worker thread while the caller uses this one.</summary>
    public bool Prefetch { get; init; } = true;
    /// <summary>
    /// Data-parallel shards (PyTorch's DistributedSampler): the epoch's permutation, the same on every shard, is padded
    /// with its own first indices to a multiple of <see cref="ShardCount"/>, and shard r takes positions r, r + R, r + 2R, ...
    /// So shards are disjoint (but for the padding), cover the epoch and have equal lengths. 1: no sharding.
    /// </summary>
    public int ShardCount { get; init; } = 1;
    public int ShardIndex { get; init; }
}
