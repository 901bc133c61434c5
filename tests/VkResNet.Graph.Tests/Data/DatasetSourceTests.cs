using VkResNet.Graph.Data;
using VkResNet.Graph.IO;
using VkResNet.Graph.Tests.Support;
using VkResNet.Viewer.Rendering;
using Xunit;

namespace VkResNet.Graph.Tests.Data;

public class DatasetSourceTests
{
    [Theory]
    [InlineData("fashion-mnist", DatasetKind.FashionMnist, Dataset.DefaultFashionMnistFolder)]
    [InlineData("FMNIST:/data/f", DatasetKind.FashionMnist, "/data/f")]
    [InlineData("mnist:/data/m", DatasetKind.Mnist, "/data/m")]
    [InlineData("cifar10:/data/c", DatasetKind.Cifar10, "/data/c")]
    [InlineData("folder:/data/imgs", DatasetKind.ImageFolder, "/data/imgs")]
    public void ParsesSpecs(string spec, DatasetKind kind, string path) =>
        Assert.Equal(new DatasetSource(kind, path), DatasetSource.Parse(spec));

    [Theory]
    [InlineData("imagenet", "unknown dataset")]
    [InlineData("cifar10", "needs a folder")]
    [InlineData("folder:", "needs a root")]
    public void BadSpecsAreExplained(string spec, string expected)
    {
        var e = Assert.Throws<DatasetException>(() => DatasetSource.Parse(spec));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ImageFolderSplitsUseTrainAndVal()
    {
        using var dir = new TempDir();
        foreach (string split in new[] { "train", "val" })
            foreach (string cls in new[] { "a", "b" })
            {
                Directory.CreateDirectory(Path.Combine(dir.Path, split, cls));
                PngWriter.Write(Path.Combine(dir.Path, split, cls, "1.png"), new RasterImage(3, 3, 1, new byte[9]));
            }
        var source = DatasetSource.Parse("folder:" + dir.Path);
        Dataset train = source.Load(train: true, channels: 1, height: 8, width: 8);
        Dataset test = source.Load(train: false, channels: 1, height: 8, width: 8);
        Assert.Equal((2, 1, 8, 8), (train.Count, train.Channels, train.Height, train.Width));
        Assert.Equal(2, test.Count);
        Assert.Equal(1, source.DefaultAugmentation(train).Padding);
        Assert.Equal(1, source.DefaultNormalization(train).Channels);
    }
}
