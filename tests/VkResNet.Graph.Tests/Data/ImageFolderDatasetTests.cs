using Xunit;
using System.Text;
using VkResNet.Graph.Data;
using VkResNet.Graph.IO;
using VkResNet.Graph.Tests.Support;

namespace VkResNet.Graph.Tests.Data;

public class ImageFolderDatasetTests
{
    [Fact]
    public void LoadsClassFoldersInOrderResizedAndPlanar()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("cat"));
        Directory.CreateDirectory(dir.File("ant"));
        Directory.CreateDirectory(dir.File(".hidden"));
        // A 2x2 RGB PNG in "cat"; resized to 4x4 it keeps its corner colours.
        byte[] rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];
        PngWriter.Write(dir.File("cat/a.png"), new RasterImage(2, 2, 3, rgb));
        // A 4x4 gray PGM in "ant"; gray becomes R = G = B.
        byte[] gray = Enumerable.Range(0, 16).Select(i => (byte)(i * 16)).ToArray();
        File.WriteAllBytes(dir.File("ant/b.pgm"), [.. Encoding.ASCII.GetBytes("P5 4 4 255\n"), .. gray]);

        Dataset ds = ImageFolderDataset.Load(dir.Path, channels: 3, height: 4, width: 4);
        Assert.Equal(["ant", "cat"], ds.ClassNames);
        Assert.Equal([0, 1], ds.Labels.ToArray());
        ReadOnlySpan<byte> ant = ds.GetImage(0);
        for (int c = 0; c < 3; c++) Assert.Equal(gray, ant.Slice(c * 16, 16).ToArray());
        ReadOnlySpan<byte> cat = ds.GetImage(1);
        Assert.Equal(255, cat[0]);       // R plane, top-left: red
        Assert.Equal(0, cat[16]);        // G plane, top-left
        Assert.Equal(255, cat[16 + 3]);  // G plane, top-right: green
        Assert.Equal(255, cat[32 + 12]); // B plane, bottom-left: blue
        Assert.Equal(30, cat[32 + 15]);  // B plane, bottom-right
    }

    [Fact]
    public void JpegInAClassFolderNamesTheFile()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("dog"));
        File.WriteAllBytes(dir.File("dog/x.jpg"), [0xFF, 0xD8, 0xFF, 0xE0]);
        var e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Load(dir.Path, 3, 8, 8));
        Assert.Contains("x.jpg", e.Message);
        Assert.Contains("JPEG is not supported", e.Message);
    }

    [Fact]
    public void EmptyRootIsReported()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Load(dir.Path, 3, 8, 8));
        Assert.Contains("no class subfolders", e.Message);
    }
}

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
