using Xunit;
using VkResNet.Graph.Data;
using VkResNet.Graph.Tests.Support;

namespace VkResNet.Graph.Tests.Data;

public class Cifar10ReaderTests
{
    private static byte[] Records(int count, int seed, out byte[] labels)
    {
        var rng = new Random(seed);
        var raw = new byte[count * Cifar10Reader.RecordBytes];
        rng.NextBytes(raw);
        labels = new byte[count];
        for (int i = 0; i < count; i++) raw[i * Cifar10Reader.RecordBytes] = labels[i] = (byte)rng.Next(10);
        return raw;
    }

    [Fact]
    public void ReadsTrainBatchesInOrderWithClassNames()
    {
        using var dir = new TempDir();
        var all = new List<byte[]>();
        var allLabels = new List<byte>();
        for (int b = 1; b <= 5; b++)
        {
            byte[] raw = Records(b + 1, b, out byte[] labels);
            File.WriteAllBytes(dir.File($"data_batch_{b}.bin"), raw);
            all.Add(raw);
            allLabels.AddRange(labels);
        }
        File.WriteAllText(dir.File("batches.meta.txt"), string.Join("\n", Dataset.Cifar10ClassNames.Select(n => n.ToUpperInvariant())) + "\n\n");

        Dataset ds = Cifar10Reader.Load(dir.Path, train: true);
        Assert.Equal((20, 3, 32, 32), (ds.Count, ds.Channels, ds.Height, ds.Width));
        Assert.Equal(allLabels.Select(l => (int)l), ds.Labels.ToArray());
        Assert.Equal("TRUCK", ds.ClassNames[9]);
        // The third record of batch 2 is image 2 + 2 = 4; its pixels follow its label byte unchanged (already CHW).
        Assert.Equal(all[1].AsSpan(2 * Cifar10Reader.RecordBytes + 1, 3072).ToArray(), ds.GetImage(4).ToArray());
    }

    [Fact]
    public void ReadsTestBatchWithDefaultNames()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("test_batch.bin"), Records(3, 9, out byte[] labels));
        Dataset ds = Cifar10Reader.Load(dir.Path, train: false);
        Assert.Equal(labels.Select(l => (int)l), ds.Labels.ToArray());
        Assert.Equal("airplane", ds.ClassNames[0]);
    }

    [Theory]
    [InlineData(100, "not a whole number")]
    [InlineData(0, "not a whole number")]
    public void BadBatchLengthIsReported(int length, string expected)
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("test_batch.bin"), new byte[length]);
        var e = Assert.Throws<DatasetException>(() => Cifar10Reader.Load(dir.Path, train: false));
        Assert.Contains("test_batch.bin", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void MissingBatchIsReported()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("data_batch_1.bin"), Records(1, 1, out _));
        var e = Assert.Throws<DatasetException>(() => Cifar10Reader.Load(dir.Path, train: true));
        Assert.Contains("data_batch_2.bin", e.Message);
    }

    [Fact]
    public void LabelOutOfRangeIsReported()
    {
        using var dir = new TempDir();
        byte[] raw = Records(2, 1, out _);
        raw[Cifar10Reader.RecordBytes] = 12;
        File.WriteAllBytes(dir.File("test_batch.bin"), raw);
        var e = Assert.Throws<DatasetException>(() => Cifar10Reader.Load(dir.Path, train: false));
        Assert.Contains("label 12 of record 1", e.Message);
    }
}
