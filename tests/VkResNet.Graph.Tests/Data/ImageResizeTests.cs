using VkResNet.Graph.Data;
using Xunit;

namespace VkResNet.Graph.Tests.Data;

public class ImageResizeTests
{
    [Fact]
    public void IdentitySizeCopiesAndTransposesToPlanar()
    {
        byte[] hwc = Enumerable.Range(0, 5 * 3 * 3).Select(i => (byte)i).ToArray();
        var chw = new byte[hwc.Length];
        ImageResize.ToPlanar(hwc, 5, 3, 3, chw, 3, 3, 5);
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 5; x++)
                for (int c = 0; c < 3; c++)
                    Assert.Equal(hwc[(y * 5 + x) * 3 + c], chw[c * 15 + y * 5 + x]);
    }

    [Fact]
    public void BilinearMatchesHalfPixelReference()
    {
        // 2x1 gray [0, 100] to 4x1: centres at source x = -0.25, 0.25, 0.75, 1.25 -> clamp -> 0, 25, 75, 100.
        var dst = new byte[4];
        ImageResize.ToPlanar([0, 100], 2, 1, 1, dst, 1, 1, 4);
        Assert.Equal(new byte[] { 0, 25, 75, 100 }, dst);
        // Downscale 4x1 [0, 40, 80, 120] to 2x1: source x = 0.5, 2.5 -> 20, 100.
        var down = new byte[2];
        ImageResize.ToPlanar([0, 40, 80, 120], 4, 1, 1, down, 1, 1, 2);
        Assert.Equal(new byte[] { 20, 100 }, down);
    }

    [Fact]
    public void RgbToGrayUsesLuma()
    {
        var dst = new byte[1];
        ImageResize.ToPlanar([200, 100, 50, 255], 1, 1, 4, dst, 1, 1, 1);
        Assert.Equal((byte)Math.Round(0.299 * 200 + 0.587 * 100 + 0.114 * 50), dst[0]);
    }
}
