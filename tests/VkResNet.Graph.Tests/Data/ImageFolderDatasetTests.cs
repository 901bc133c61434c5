using Xunit;
using System.Text;
using VkResNet.Graph.Data;
using VkResNet.Graph.IO;
using VkResNet.Graph.Tests.Support;
using VkResNet.Viewer.Rendering;

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
    public void UnsupportedFileInAClassFolderNamesTheFile()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("dog"));
        File.WriteAllBytes(dir.File("dog/x.webp"), "RIFF\0\0\0\0WEBP"u8.ToArray());
        var e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Load(dir.Path, 3, 8, 8));
        Assert.Contains("x.webp", e.Message);
        Assert.Contains("unrecognised image format; supported formats: PNG", e.Message);
    }

    [Fact]
    public void EmptyRootIsReported()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Load(dir.Path, 3, 8, 8));
        Assert.Contains("no class subfolders", e.Message);
    }
}
