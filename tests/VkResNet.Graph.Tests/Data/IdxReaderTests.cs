using Xunit;
using VkResNet.Graph.Data;
using VkResNet.Graph.Tests.Support;

namespace VkResNet.Graph.Tests.Data;

public class IdxReaderTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RoundTripsImagesAndLabels(bool gzip)
    {
        using var dir = new TempDir();
        var rng = new Random(3);
        byte[] pixels = new byte[7 * 5 * 3];
        rng.NextBytes(pixels);
        byte[] labels = [0, 3, 9, 1, 2, 2, 7];
        IdxReader.Write(dir.File("img"), [7, 5, 3], pixels, gzip);
        IdxReader.Write(dir.File("lbl"), [7], labels, gzip);

        IdxFile img = IdxReader.Read(dir.File("img"));
        Assert.Equal([7, 5, 3], img.Dimensions);
        Assert.Equal(pixels, img.Data);

        Dataset ds = IdxReader.ReadDataset(dir.File("img"), dir.File("lbl"), Dataset.FashionMnistClassNames, "t");
        Assert.Equal((7, 1, 5, 3), (ds.Count, ds.Channels, ds.Height, ds.Width));
        Assert.Equal(labels.Select(b => (int)b), ds.Labels.ToArray());
        Assert.Equal(pixels.AsSpan(2 * 15, 15).ToArray(), ds.GetImage(2).ToArray());
    }

    public static TheoryData<byte[], string> CorruptFiles => new()
    {
        { [0, 0], "shorter than its 4-byte magic" },
        { [1, 0, 8, 1, 0, 0, 0, 1, 5], "bad IDX magic" },
        { [0, 0, 0x0D, 1, 0, 0, 0, 1, 5], "element type 0x0D" },
        { [0, 0, 8, 3, 0, 0, 0, 1], "truncated IDX header" },
        { [0, 0, 8, 1, 0, 0, 0, 4, 1, 2], "need 4 data bytes but the file has 2 (truncated)" },
        { [0, 0, 8, 1, 0, 0, 0, 1, 1, 2], "(trailing bytes)" },
        { [0, 0, 8, 1, 0xFF, 0, 0, 1], "negative" },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void CorruptFileGivesClearError(byte[] content, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File("bad-idx");
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<DatasetException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void TruncatedGzipIsReported()
    {
        using var dir = new TempDir();
        string good = dir.File("good.gz"), bad = dir.File("bad.gz");
        var pixels = new byte[4000];
        new Random(1).NextBytes(pixels);
        IdxReader.Write(good, [40, 10, 10], pixels, gzip: true);
        byte[] all = File.ReadAllBytes(good);
        File.WriteAllBytes(bad, all.AsSpan(0, all.Length / 2).ToArray());
        var e = Assert.Throws<DatasetException>(() => IdxReader.Read(bad));
        Assert.Contains(bad, e.Message);
    }

    [Fact]
    public void LabelCountMismatchNamesBothFiles()
    {
        using var dir = new TempDir();
        IdxReader.Write(dir.File("img"), [3, 2, 2], new byte[12], gzip: false);
        IdxReader.Write(dir.File("lbl"), [2], [1, 1], gzip: false);
        var e = Assert.Throws<DatasetException>(() => IdxReader.ReadDataset(dir.File("img"), dir.File("lbl"), Dataset.FashionMnistClassNames, "t"));
        Assert.Contains("2 labels for 3 images", e.Message);
    }

    [Fact]
    public void LabelOutsideClassesIsRejected()
    {
        using var dir = new TempDir();
        IdxReader.Write(dir.File("img"), [2, 2, 2], new byte[8], gzip: false);
        IdxReader.Write(dir.File("lbl"), [2], [1, 10], gzip: false);
        var e = Assert.Throws<DatasetException>(() => IdxReader.ReadDataset(dir.File("img"), dir.File("lbl"), Dataset.FashionMnistClassNames, "t"));
        Assert.Contains("label 10 at index 1", e.Message);
    }

    [Fact]
    public void MissingFolderIsReported()
    {
        var e = Assert.Throws<DatasetException>(() => Dataset.LoadFashionMnist("/nonexistent/fmnist"));
        Assert.Contains("/nonexistent/fmnist", e.Message);
    }
}
