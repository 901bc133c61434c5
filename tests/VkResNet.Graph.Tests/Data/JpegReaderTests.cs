using VkResNet.Graph.Data;
using VkResNet.Graph.IO;
using VkResNet.Graph.Tests.Support;
using Xunit;

namespace VkResNet.Graph.Tests.Data;

/// <summary>
/// Fixtures come from libjpeg (tests/reference/make_jpeg_fixtures.c): each .jpg with the .pnm libjpeg decodes
/// it to (islow IDCT, replicated chroma). Our float IDCT may differ from libjpeg's integer one by a level or two.
/// </summary>
public class JpegReaderTests
{
    [Theory]
    [InlineData("gray_13x9")]
    [InlineData("rgb444_16x16")]
    [InlineData("rgb420_21x17")]
    [InlineData("rgb422_optimized_30x12")]
    [InlineData("rgb420_restart_40x24")]
    public void MatchesLibjpeg(string name)
    {
        RasterImage expected = PnmReader.Read(Fixtures.Path("jpeg", name + ".pnm"));
        RasterImage actual = JpegReader.Read(Fixtures.Path("jpeg", name + ".jpg"));
        Assert.Equal((expected.Width, expected.Height, expected.Channels), (actual.Width, actual.Height, actual.Channels));
        int worst = 0, worstAt = -1;
        long sum = 0;
        for (int i = 0; i < expected.Pixels.Length; i++)
        {
            int d = Math.Abs(expected.Pixels[i] - actual.Pixels[i]);
            sum += d;
            if (d > worst) (worst, worstAt) = (d, i);
        }
        double mean = (double)sum / expected.Pixels.Length;
        Assert.True(worst <= 2 && mean < 0.1,
            $"{name}: max |diff| {worst} at sample {worstAt} (expected {(worstAt >= 0 ? expected.Pixels[worstAt] : 0)}, got {(worstAt >= 0 ? actual.Pixels[worstAt] : 0)}), mean {mean:F3}");
    }

    [Fact]
    public void ProgressiveJpegGivesAClearErrorNamingTheFile()
    {
        string path = Fixtures.Path("jpeg", "progressive_8x8.jpg");
        var e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Decode(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("progressive JPEG is not supported", e.Message);
    }

    [Fact]
    public void TruncatedJpegIsReported()
    {
        byte[] data = File.ReadAllBytes(Fixtures.Path("jpeg", "rgb444_16x16.jpg"));
        using var dir = new TempDir();
        string path = dir.File("cut.jpg");
        File.WriteAllBytes(path, data[..(data.Length * 2 / 3)]);
        var e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Decode(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }
}
