using VkResNet.Runtime.Tests;
using VkResNet.Viewer.Rendering;
using Xunit;

namespace VkResNet.Viewer.Tests;

/// <summary>The GPU pre-pass (per-channel and per-stage min/max/mean/std, top-5) against double-precision CPU references.</summary>
public sealed class StatisticsTests(GpuFixture gpu) : GpuTest(gpu)
{
    static float[] Random(int n, int seed, float offset)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 4 - 2) + offset).ToArray();
    }

    [Theory]
    [InlineData(1, 13, 9, 7, 0)]
    [InlineData(2, 13, 9, 7, 1)]
    [InlineData(3, 70, 1, 1, 2)]
    [InlineData(1, 3, 33, 31, 0)]
    public void Channel_and_stage_statistics_match_the_cpu(int n, int c, int h, int w, int image)
    {
        float[] data = Random(n * c * h * w, 7 + c, 0.75f);
        var logits = Random(n * 37, 3, 0f);
        using var source = new ArraySource(Device, [("odd", n, c, h, w, data), ("second", n, 5, 4, 3, Random(n * 60, 9, -1f))], (n, 37, logits));
        source.SelectImage(Math.Min(image, n - 1));
        using var renderer = new FrameRenderer(source, slots: 1);
        renderer.RenderToHost(new ViewState(), 64, 64);
        float[] stats = Device.Download<float>(renderer.StatsBuffer.All);

        int b = source.BatchIndex;
        var stage = new List<double>();
        for (int ch = 0; ch < c; ch++)
        {
            var v = Enumerable.Range(0, h * w).Select(i => (double)data[(b * c + ch) * h * w + i]).ToArray();
            stage.AddRange(v);
            Expect(stats, renderer.ChannelBase(0) + 4 * ch, v, $"n={n} c={c} {h}x{w} image {b} channel {ch}");
        }
        Expect(stats, 0, stage.ToArray(), $"n={n} c={c} {h}x{w} image {b} whole stage");

        uint[] top = Device.Download<uint>(renderer.TopBuffer.All);
        var row = logits.Skip(b * 37).Take(37).Select(x => (double)x).ToArray();
        double z = row.Sum(x => Math.Exp(x - row.Max()));
        var order = Enumerable.Range(0, 37).OrderByDescending(k => row[k]).Take(5).ToArray();
        for (int r = 0; r < 5; r++)
        {
            Assert.True(order[r] == (int)top[r], $"rank {r}: GPU class {top[r]}, CPU class {order[r]} (image {b})");
            double p = Math.Exp(row[order[r]] - row.Max()) / z;
            Assert.True(Math.Abs(BitConverter.UInt32BitsToSingle(top[5 + r]) - p) <= 1e-5 + 1e-4 * p, $"rank {r}: p GPU {BitConverter.UInt32BitsToSingle(top[5 + r])} CPU {p}");
        }
    }

    [Fact]
    public void Each_inference_recomputes_statistics_and_top5_from_the_new_tensors()
    {
        using var source = new VkResNet.Viewer.Sources.SyntheticFeatureSource(Device, [("a", 6, 5, 4), ("b", 7, 3, 3)], images: 2, inputSize: 8, animate: true);
        using var renderer = new FrameRenderer(source, slots: 1);
        var state = new ViewState();
        for (int frame = 1; frame <= 3; frame++)
        {
            renderer.RenderToHost(state, 96, 96); // every headless frame runs inference: phases alternate
            uint[] top = Device.Download<uint>(renderer.TopBuffer.All);
            float[] stats = Device.Download<float>(renderer.StatsBuffer.All);
            int shown = frame % 2; // odd inferences give image 0 the pattern of image 1
            Assert.True(top[0] == (uint)shown, $"frame {frame}: top class {top[0]}, expected {shown}");
            // Channel 4 of stage "a" is constant: 1 * (0.25 + 0.01 * 4 + 0.1 * n).
            float want = 0.25f + 0.04f + 0.1f * shown;
            Assert.True(Math.Abs(stats[renderer.ChannelBase(0) + 4 * 4 + 2] - want) < 1e-5f, $"frame {frame}: channel 4 mean {stats[renderer.ChannelBase(0) + 18]}, expected {want}");
        }
    }

    static void Expect(float[] stats, int at, double[] v, string what)
    {
        double mean = v.Average();
        double std = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / v.Length);
        double[] want = [v.Min(), v.Max(), mean, std];
        string[] names = ["min", "max", "mean", "std"];
        for (int k = 0; k < 4; k++)
            Assert.True(Math.Abs(stats[at + k] - want[k]) <= 1e-5 + 1e-4 * Math.Abs(want[k]),
                $"{what}: {names[k]} GPU {stats[at + k]} CPU {want[k]}");
    }
}
