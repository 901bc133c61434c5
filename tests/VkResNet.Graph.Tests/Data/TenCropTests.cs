using VkResNet.Graph.Data;
using Xunit;

namespace VkResNet.Graph.Tests.Data;

public class TenCropTests
{
    [Fact]
    public void ViewsAreCornersCentreAndTheirMirrors()
    {
        const int c = 2, h = 5, w = 6, crop = 3;
        var px = Enumerable.Range(0, c * h * w).Select(i => (byte)(i * 3 + 1)).ToArray();
        var norm = new Normalization([0.5f, 0.1f], [0.25f, 1f]);
        var gen = new TenCropGenerator(c, h, w, crop, norm);
        var views = new float[TenCropGenerator.ViewCount * gen.ViewFloats];
        gen.Generate(px, views);
        // torchvision: centre offset round((5-3)/2) = 1, round((6-3)/2) = round(1.5) = 2 (half to even).
        (int Dy, int Dx)[] offsets = [(0, 0), (0, 3), (2, 0), (2, 3), (1, 2)];
        for (int v = 0; v < 10; v++)
        {
            (int dy, int dx) = offsets[v % 5];
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < crop; y++)
                    for (int x = 0; x < crop; x++)
                    {
                        int sx = dx + (v >= 5 ? crop - 1 - x : x);
                        double expected = (px[ch * h * w + (dy + y) * w + sx] / 255.0 - norm.Mean[ch]) / norm.Std[ch];
                        float actual = views[v * gen.ViewFloats + ch * crop * crop + y * crop + x];
                        Assert.True(Math.Abs(actual - expected) < 1e-5, $"view {v} c{ch} y{y} x{x}: {actual} vs {expected}");
                    }
        }
    }

    [Fact]
    public void AveragedSoftmaxIsTheMeanOfViewProbabilities()
    {
        const int classes = 3;
        var logits = new float[2 * 10 * classes];
        var rng = new Random(2);
        for (int i = 0; i < logits.Length; i++) logits[i] = (float)(rng.NextDouble() * 4 - 2);
        var probs = new float[2 * classes];
        TenCropGenerator.AverageSoftmax(logits, 2, classes, probs);
        for (int img = 0; img < 2; img++)
            for (int k = 0; k < classes; k++)
            {
                double expected = 0;
                for (int v = 0; v < 10; v++)
                {
                    var row = logits.AsSpan((img * 10 + v) * classes, classes).ToArray();
                    expected += Math.Exp(row[k]) / row.Sum(x => Math.Exp(x)) / 10;
                }
                Assert.True(Math.Abs(probs[img * classes + k] - expected) < 1e-6, $"image {img} class {k}");
            }
    }

    [Fact]
    public void CropLargerThanImageIsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new TenCropGenerator(1, 4, 4, 5, new Normalization([0f], [1f])));
}
