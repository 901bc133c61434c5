using VkResNet.Graph.Embedding;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Tests.Kernels;
using VkResNet.Graph.Tests.Reference;
using VkResNet.Runtime;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Embedding;

/// <summary>The RGBA8 -> normalised NCHW pre-pass against its CPU double-precision reference, on odd sizes and 1 to 4 channels.</summary>
public class Rgba8ToNchwTests(GpuFixture gpu) : KernelTest(gpu)
{
    [Theory]
    [InlineData(1, 3, 9, 7)]
    [InlineData(2, 1, 13, 5)]
    [InlineData(3, 4, 7, 9)]
    [InlineData(1, 2, 1, 1)]
    [InlineData(2, 3, 32, 33)]
    public void MatchesCpuReference(int batch, int channels, int height, int width)
    {
        var rng = new Random(batch * 1000 + channels * 100 + height * 10 + width);
        var rgba = new byte[batch * height * width * 4];
        rng.NextBytes(rgba);
        rgba[0] = 0;
        rgba[^1] = 255;
        double[] mean = new[] { 0.485, 0.456, 0.406, 0.5 }[..channels];
        double[] std = new[] { 0.229, 0.224, 0.225, 0.25 }[..channels];
        var expected = CpuRef.Rgba8ToNchw(rgba, batch, height, width, mean, std);

        long pixels = (long)batch * height * width;
        using var src = Device.CreateBuffer(pixels * 4, MemoryKind.DeviceLocal, "rgba8");
        Device.Upload<byte>(src.Slice(0, pixels * 4), rgba);
        using var arena = new Arena(Device, ArenaBytes(expected.Length));
        var y = arena.Alloc(expected.Length);
        Record(Device.Variant, r => ImageInputKernels.Rgba8ToNchw(r, batch, height, width,
            Array.ConvertAll(mean, v => (float)v), Array.ConvertAll(std, v => (float)v), src.Slice(0, pixels * 4), y));
        var got = arena.Read(y, expected.Length);

        var bad = new List<string>();
        for (int i = 0; i < expected.Length && bad.Count < 5; i++)
            if (Math.Abs(got[i] - expected[i]) > 1e-5 + 1e-5 * Math.Abs(expected[i]))
                bad.Add($"[{i}] expected {expected[i]:G9} got {got[i]:G9}");
        Assert.True(bad.Count == 0, $"rgba8_to_nchw {batch}x{channels}x{height}x{width}: {string.Join("; ", bad)}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void RejectsChannelCountsOutsideOneToFour(int channels)
    {
        using var b = Device.CreateBuffer(1024);
        var ex = Assert.Throws<ArgumentException>(() => Record(Device.Variant, r => ImageInputKernels.Rgba8ToNchw(r, 1, 2, 2,
            new float[channels], Enumerable.Repeat(1f, channels).ToArray(), b.Slice(0, 16), b.Slice(16, 64))));
        Assert.Contains("channels", ex.Message);
    }
}
