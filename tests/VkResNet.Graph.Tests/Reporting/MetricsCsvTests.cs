using VkResNet.Graph.Reporting;
using VkResNet.Graph.Tests.Support;
using Xunit;

namespace VkResNet.Graph.Tests.Reporting;

public class MetricsCsvTests
{
    [Fact]
    public void RowsAreVisibleBeforeDisposeAndReadBack()
    {
        using var dir = new TempDir();
        string path = dir.File("metrics.csv");
        var first = new EpochMetrics(1, 391, 1.25, 0.45, 1.1, 0.4, 0.1, 612.5, 80.2);
        var second = new EpochMetrics(2, 782, 0.8, 0.3, double.NaN, double.NaN, 0.1, 620, 79.9);
        using (var csv = new MetricsCsv(path))
        {
            csv.Append(first);
            // Flushed after each row: another reader sees it while the writer is still open.
            string[] lines = ReadShared(path);
            Assert.Equal([MetricsCsv.Header, "1,391,1.25,0.45,1.1,0.4,0.1,612.5,80.2"], lines);
            csv.Append(second);
        }
        using (var csv = new MetricsCsv(path)) csv.Append(first with { Epoch = 3 }); // reopening appends, no second header
        IReadOnlyList<EpochMetrics> rows = MetricsCsv.Read(path);
        Assert.Equal(3, rows.Count);
        Assert.Equal(first, rows[0]);
        Assert.Equal(second.Epoch, rows[1].Epoch);
        Assert.True(double.IsNaN(rows[1].TestError));
        Assert.Equal(3, rows[2].Epoch);
        Assert.Single(File.ReadAllLines(path), l => l == MetricsCsv.Header);
    }

    [Fact]
    public void ForeignCsvIsNotAppendedTo()
    {
        using var dir = new TempDir();
        string path = dir.File("other.csv");
        File.WriteAllText(path, "a,b\n1,2\n");
        var e = Assert.Throws<InvalidDataException>(() => new MetricsCsv(path));
        Assert.Contains("expected 'epoch,step", e.Message);
    }

    private static string[] ReadShared(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(fs);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
