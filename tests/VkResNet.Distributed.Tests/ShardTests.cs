using VkResNet.Graph.Data;
using Xunit;

namespace VkResNet.Distributed.Tests;

/// <summary>DistributedSampler-style shards of the BatchLoader: disjoint, covering, equal lengths, padded from the start.</summary>
public sealed class ShardTests
{
    internal static Dataset Tiny(int count) => new("tiny", 1, 2, 2, new byte[count * 4], Enumerable.Range(0, count).Select(i => i % 3).ToArray(), ["a", "b", "c"]);

    static BatchLoader Loader(Dataset d, int shards, int shard) => new(d, new BatchLoaderOptions
    {
        BatchSize = 2, Seed = 5, Normalization = Normalization.None(1), DropLast = true, Prefetch = false, ShardCount = shards, ShardIndex = shard,
    });

    [Theory]
    [InlineData(12, 2)]
    [InlineData(13, 2)] // one padded sample
    [InlineData(17, 3)] // one short of a multiple
    [InlineData(9, 4)]
    public void Shards_are_disjoint_cover_the_epoch_and_pad_like_DistributedSampler(int count, int shards)
    {
        var d = Tiny(count);
        int length = BatchLoader.ShardLength(count, shards);
        var all = new List<int>();
        for (int r = 0; r < shards; r++)
        {
            using var l = Loader(d, shards, r);
            var indices = l.ShardIndices(epoch: 2);
            Assert.Equal(length, indices.Length);
            all.AddRange(indices);
        }
        int padding = length * shards - count;
        Assert.Equal(count, all.Distinct().Count()); // every image of the epoch, once but for the padding
        Assert.Equal(padding, all.Count - all.Distinct().Count());

        using var whole = Loader(d, 1, 0);
        var epoch = whole.ShardIndices(epoch: 2); // the same seed gives the same permutation on every rank
        for (int p = 0; p < length * shards; p++)
        {
            using var owner = Loader(d, shards, p % shards);
            Assert.Equal(epoch[p % count], owner.ShardIndices(2)[p / shards]); // position p of the padded epoch
        }
    }

    [Fact]
    public void Another_epoch_shuffles_the_shards()
    {
        using var a = Loader(Tiny(20), 2, 0);
        Assert.NotEqual(a.ShardIndices(0), a.ShardIndices(1));
    }

    [Fact]
    public void A_shard_that_does_not_exist_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Loader(Tiny(8), 2, 2));
    }
}
