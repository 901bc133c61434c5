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
        var first = new MetricsRow(7, 1, MetricsRow.Train, 1.25, 0.55, double.NaN, 0.1, 612.5, 80.2);
        var second = new MetricsRow(391, 1, MetricsRow.Test, 0.8, 0.7, 0.97, 0.1, double.NaN, 79.9);
        using (var csv = new MetricsCsv(path))
        {
            csv.Append(first);
            // Flushed after each row: another reader sees it while the writer is still open.
            string[] lines = ReadShared(path);
            Assert.Equal([MetricsCsv.Header, "7,1,train,1.25,0.55,,0.1,612.5,80.2"], lines);
            csv.Append(second);
        }
        using (var csv = new MetricsCsv(path)) csv.Append(first with { Epoch = 3 }); // reopening appends, no second header
        File.AppendAllText(path, "400,2,tr"); // a row still being written by another process
        IReadOnlyList<MetricsRow> rows = MetricsCsv.Read(path);
        Assert.Equal(3, rows.Count);
        Assert.Equal(first.Step, rows[0].Step);
        Assert.Equal(first.Loss, rows[0].Loss, 12);
        Assert.True(double.IsNaN(rows[0].Top5Accuracy));
        Assert.Equal(MetricsRow.Test, rows[1].Phase);
        Assert.True(double.IsNaN(rows[1].ImagesPerSecond));
        Assert.Equal(0.3, rows[1].Error, 12);
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
        Assert.Contains("expected 'step,epoch,phase", e.Message);
    }

    [Fact]
    public void A_window_row_comes_every_n_steps_and_at_the_epoch_end_with_window_means()
    {
        var w = new MetricsWindow(every: 3, batchSize: 10);
        var rows = new List<MetricsRow>();
        for (int i = 0; i < 7; i++)
            if (w.Add(step: i + 1, epoch: 1, loss: i, correct: 5, lr: 0.1, epochSeconds: i + 1, last: i == 6) is MetricsRow r) rows.Add(r);
        Assert.Equal([3L, 6L, 7L], rows.Select(r => r.Step));
        Assert.Equal(1.0, rows[0].Loss, 12); // mean of 0, 1, 2
        Assert.Equal(4.0, rows[1].Loss, 12);
        Assert.Equal(6.0, rows[2].Loss, 12); // the short last window
        Assert.Equal(0.5, rows[0].Accuracy, 12);
        Assert.Equal(10.0, rows[1].ImagesPerSecond, 9); // 30 images in 3 s
        Assert.All(rows, r => Assert.Equal(MetricsRow.Train, r.Phase));
    }

    private static string[] ReadShared(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(fs);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
