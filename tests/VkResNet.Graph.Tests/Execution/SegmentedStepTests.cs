using VkResNet.Graph.Data;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Models;
using VkResNet.Graph.Training;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Execution;

/// <summary>
/// The training step split at gradient-bucket boundaries (the path of --accumulate and --distributed) against the
/// step recorded in one command buffer: same data, same initialisation, so the same weights and momentum after it.
/// With SyncBatchNorm's split BN (one rank), the step also ends a segment after every BN statistics pass and the host
/// hands the sums back unchanged: still the same step.
/// </summary>
[Collection(GpuCollection.Name)]
public sealed class SegmentedStepTests(GpuFixture gpu) : GpuTest(gpu)
{
    static Dataset Data(int count)
    {
        var rng = new Random(11);
        var pixels = new byte[count * 13 * 9];
        rng.NextBytes(pixels);
        return new Dataset("noise", 1, 13, 9, pixels, Enumerable.Range(0, count).Select(i => i % 5).ToArray(), ["a", "b", "c", "d", "e"]);
    }

    [Theory]
    [InlineData(4096, false)]       // many buckets: a segment boundary after nearly every gradient
    [InlineData(25L << 20, false)]  // one bucket
    [InlineData(4096, true)]        // and a boundary after every BN statistics pass, forward and backward
    [InlineData(25L << 20, true)]
    public void Bucket_segments_train_like_the_single_command_buffer_step(long bucketBytes, bool syncBn)
    {
        var spec = ModelCatalog.Resolve("resnet8", 1, 13, 9, 5);
        var data = Data(24);
        var loaderOptions = new BatchLoaderOptions { BatchSize = 6, Seed = 3, Normalization = Normalization.None(1), DropLast = true, Prefetch = false };
        var options = new ResNetBuildOptions(SyncBatchNormRanks: syncBn ? 1 : 0);
        var whole = ResNetBuilder.Build(spec, 6, ResNetMode.Train, options);
        var split = ResNetBuilder.Build(spec, 6, ResNetMode.Train, options);
        using var a = CompiledGraph.Compile(Device, whole.Graph);
        using var b = CompiledGraph.Compile(Device, split.Graph);
        ParameterInitializer.Initialize(a, seed: 2);
        ParameterInitializer.Initialize(b, seed: 2);

        using var loader = new BatchLoader(data, loaderOptions);
        using var step = new DataParallelStep(b, split, data, loaderOptions, accumulate: 1, reducer: null, bucketBytes, checkEvery: 0, startEpoch: 0,
                                              syncBatchNorm: syncBn);
        if (bucketBytes < 1 << 20) Assert.True(step.Buckets.Count > 5, $"{step.Buckets.Count} buckets");
        else Assert.Single(step.Buckets);
        // ResNet-8: 7 BNs, each with a forward and a backward sum (the first BN's dx feeds conv1's weight gradient).
        Assert.Equal(syncBn ? 14 : 0, step.BatchNormAllReduces);
        Assert.Equal(split.Gradients.Values.Sum(g => g.Shape.ElementCount), step.Buckets.Sum(k => (long)k.Count));
        for (int s = 0; s < 3; s++)
        {
            loader.Next(a.Input(whole.Input), a.Labels(whole.Labels!));
            a.Input(whole.LearningRate!)[0] = 0.05f;
            a.Run();
            var (loss, _) = step.Run(s, 0.05f);
            Assert.Equal(a.Output(whole.Loss!)[0], (float)loss, 5);
        }

        int compared = 0;
        foreach (var t in whole.Graph.ReferencedTensors().Where(t => t.Kind is TensorKind.Parameter or TensorKind.OptimizerState or TensorKind.RunningStat))
        {
            var x = a.Read(t);
            var y = b.Read(split.Graph[t.Name]);
            double scale = Math.Max(1e-12, x.Max(v => Math.Abs((double)v)));
            for (int i = 0; i < x.Length; i++)
                Assert.True(Math.Abs(x[i] - y[i]) <= 1e-6 * scale, $"'{t.Name}'[{i}]: {x[i]} vs {y[i]}");
            compared++;
        }
        Assert.True(compared > 20, $"{compared} tensors compared");

        // The hot path: one more step (the epoch's last batch, so the loader starts no epoch) allocates nothing on the
        // calling thread: no Stopwatch, StepTimes object or enumerator per step, with or without the BN segments.
        long before = GC.GetAllocatedBytesForCurrentThread();
        step.Run(3, 0.05f);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(step.LastTimes is { Step: > 0 }, "the step's times were not kept");
    }
}
