using VkResNet.Graph.Data;
using Xunit;

namespace VkResNet.Graph.Tests.Data;

public class BatchLoaderTests
{
    /// <summary>n single-class-per-image images of c x h x w whose pixels encode (image, position): distinct, known values.</summary>
    private static Dataset Tiny(int n, int c, int h, int w)
    {
        var px = new byte[n * c * h * w];
        for (int i = 0; i < px.Length; i++) px[i] = (byte)(1 + (i * 7 + i / (c * h * w) * 13) % 250);
        return new Dataset("tiny", c, h, w, px, Enumerable.Range(0, n).ToArray(), Enumerable.Range(0, n).Select(k => $"c{k}").ToArray());
    }

    private static readonly Normalization Unit1 = new([0f], [1f]);

    private static List<(float[] Images, int[] Labels, BatchInfo Info)> Collect(BatchLoader loader, int batches)
    {
        var result = new List<(float[], int[], BatchInfo)>();
        for (int b = 0; b < batches; b++)
        {
            var images = new float[loader.BatchFloats];
            var labels = new int[loader.BatchSize];
            BatchInfo info = loader.Next(images, labels);
            result.Add((images, labels, info));
        }
        return result;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EachEpochVisitsEveryImageOnceAndPadsTheLastBatch(bool prefetch)
    {
        Dataset data = Tiny(10, 1, 2, 3);
        using var loader = new BatchLoader(data, new BatchLoaderOptions { BatchSize = 4, Seed = 5, Normalization = Unit1, Prefetch = prefetch });
        Assert.Equal(3, loader.BatchesPerEpoch);
        var batches = Collect(loader, 6);
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var epochBatches = batches.Skip(epoch * 3).Take(3).ToList();
            Assert.Equal([0, 1, 2], epochBatches.Select(b => b.Info.Index));
            Assert.All(epochBatches, b => Assert.Equal(epoch, b.Info.Epoch));
            Assert.Equal([4, 4, 2], epochBatches.Select(b => b.Info.Count));
            Assert.True(epochBatches[2].Info.IsLastInEpoch);
            int[] seen = epochBatches.SelectMany(b => b.Labels.Take(b.Info.Count)).Order().ToArray();
            Assert.Equal(Enumerable.Range(0, 10), seen);
            // Padding: label -1 and zero images.
            Assert.Equal([-1, -1], epochBatches[2].Labels[2..]);
            Assert.All(epochBatches[2].Images[(2 * 6)..], v => Assert.Equal(0f, v));
            // Each image arrives intact (no augmentation, identity normalisation apart from /255).
            foreach (var b in epochBatches)
                for (int i = 0; i < b.Info.Count; i++)
                {
                    ReadOnlySpan<byte> src = data.GetImage(b.Labels[i]);
                    for (int k = 0; k < 6; k++) Assert.Equal(src[k] / 255f, b.Images[i * 6 + k], 6);
                }
        }
        Assert.NotEqual(batches[0].Labels, batches[3].Labels); // a new order each epoch
    }

    [Fact]
    public void SameSeedSameBatchesWithOrWithoutPrefetchAndDifferentSeedDiffers()
    {
        Dataset data = Tiny(37, 3, 5, 4);
        BatchLoaderOptions Options(long seed, bool prefetch) => new()
        {
            BatchSize = 8, Seed = seed, Prefetch = prefetch, DropLast = true,
            Augmentation = new Augmentation(RandomCrop: true, Padding: 2, HorizontalFlip: true),
            Normalization = new Normalization([0.1f, 0.2f, 0.3f], [0.5f, 0.6f, 0.7f]),
        };
        using var a = new BatchLoader(data, Options(42, prefetch: true));
        using var b = new BatchLoader(data, Options(42, prefetch: false));
        using var c = new BatchLoader(data, Options(43, prefetch: true));
        var ba = Collect(a, 10);
        var bb = Collect(b, 10);
        var bc = Collect(c, 10);
        for (int i = 0; i < ba.Count; i++)
        {
            Assert.Equal(ba[i].Info, bb[i].Info);
            Assert.Equal(ba[i].Labels, bb[i].Labels);
            Assert.Equal(ba[i].Images, bb[i].Images);
        }
        Assert.NotEqual(ba.SelectMany(x => x.Labels), bc.SelectMany(x => x.Labels));
    }

    [Fact]
    public void ResetToAnEpochReproducesTheContinuousStream()
    {
        Dataset data = Tiny(12, 1, 4, 4);
        var options = new BatchLoaderOptions { BatchSize = 5, Seed = 9, Normalization = Unit1, Augmentation = Augmentation.Standard with { Padding = 1 } };
        using var continuous = new BatchLoader(data, options);
        var all = Collect(continuous, 3 * 3);
        using var resumed = new BatchLoader(data, options, startEpoch: 2);
        var tail = Collect(resumed, 3);
        continuous.Reset(1);
        var again = Collect(continuous, 3);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(all[6 + i].Images, tail[i].Images);
            Assert.Equal(all[6 + i].Labels, tail[i].Labels);
            Assert.Equal(all[3 + i].Images, again[i].Images);
        }
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(0, true)]
    [InlineData(2, true)]
    public void AugmentedImageIsAShiftedOrMirroredCopyWithZeroPadding(int pad, bool flip)
    {
        const int h = 4, w = 5;
        Dataset data = Tiny(1, 2, h, w);
        var norm = new Normalization([0.25f, 0.5f], [0.5f, 2f]);
        using var loader = new BatchLoader(data, new BatchLoaderOptions
        {
            BatchSize = 1, Seed = 1, Normalization = norm, Prefetch = false,
            Augmentation = new Augmentation(RandomCrop: pad > 0, Padding: pad, HorizontalFlip: flip),
        });
        var seen = new HashSet<(int, int, bool)>();
        var images = new float[loader.BatchFloats];
        var labels = new int[1];
        for (int epoch = 0; epoch < 1000; epoch++)
        {
            loader.Next(images, labels);
            var matches = new List<(int, int, bool)>();
            for (int dy = -pad; dy <= pad; dy++)
                for (int dx = -pad; dx <= pad; dx++)
                    foreach (bool f in flip ? new[] { false, true } : new[] { false })
                        if (Matches(data.GetImage(0), 2, h, w, dy, dx, f, norm, images)) matches.Add((dy, dx, f));
            Assert.True(matches.Count >= 1, $"epoch {epoch}: output is no shift in [-{pad}, {pad}] (flip {flip}) of the source");
            seen.Add(matches[0]);
        }
        // Every offset (and both flips) turns up over 1000 draws (seeded, so this is deterministic).
        Assert.Equal((2 * pad + 1) * (2 * pad + 1) * (flip ? 2 : 1), seen.Count);
    }

    /// <summary>Reference: out[c,y,x] = norm(src[c, y+dy, xs+dx]) with xs = x or w-1-x, and norm(0) outside the image.</summary>
    private static bool Matches(ReadOnlySpan<byte> src, int channels, int h, int w, int dy, int dx, bool flip, Normalization n, float[] output)
    {
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int sy = y + dy, sx = (flip ? w - 1 - x : x) + dx;
                    int v = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[c * h * w + sy * w + sx] : 0;
                    double expected = (v / 255.0 - n.Mean[c]) / n.Std[c];
                    if (Math.Abs(output[c * h * w + y * w + x] - expected) > 1e-5 + 1e-5 * Math.Abs(expected)) return false;
                }
        return true;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SteadyStateAllocatesNothing(bool prefetch)
    {
        Dataset data = Tiny(64, 3, 8, 8);
        using var loader = new BatchLoader(data, new BatchLoaderOptions
        {
            BatchSize = 16, Seed = 3, Normalization = Normalization.Cifar10, Prefetch = prefetch, Augmentation = Augmentation.Standard,
        });
        var images = new float[loader.BatchFloats];
        var labels = new int[loader.BatchSize];
        for (int i = 0; i < 4; i++) loader.Next(images, labels); // warm up: JIT, first permutation
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 40; i++) loader.Next(images, labels);
        long callerBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, callerBytes);
        Assert.Equal(0, loader.WorkerSteadyStateAllocatedBytes);
    }

    [Fact]
    public void ShortBuffersAndMismatchedNormalisationAreRejected()
    {
        Dataset data = Tiny(4, 1, 2, 2);
        using var loader = new BatchLoader(data, new BatchLoaderOptions { BatchSize = 2, Normalization = Unit1, Prefetch = false });
        Assert.Throws<ArgumentException>(() => loader.Next(new float[7], new int[2]));
        Assert.Throws<ArgumentException>(() => loader.Next(new float[8], new int[1]));
        Assert.Throws<ArgumentException>(() => new BatchLoader(data, new BatchLoaderOptions { Normalization = Normalization.Cifar10 }));
    }

    [Fact]
    public void UseAfterDisposeThrows()
    {
        var loader = new BatchLoader(Tiny(4, 1, 2, 2), new BatchLoaderOptions { BatchSize = 2, Normalization = Unit1 });
        loader.Next(new float[8], new int[2]);
        loader.Dispose();
        loader.Dispose();
        Assert.Throws<ObjectDisposedException>(() => loader.Next(new float[8], new int[2]));
    }
}
