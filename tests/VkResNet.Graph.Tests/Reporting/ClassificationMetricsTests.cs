using VkResNet.Graph.Reporting;
using Xunit;

namespace VkResNet.Graph.Tests.Reporting;

public class ClassificationMetricsTests
{
    [Fact]
    public void ConfusionMatrixCountsArgMaxAndSkipsPadding()
    {
        float[] logits =
        [
            0.1f, 2f, 0.3f,  // truth 1, predicted 1
            5f, 1f, 1f,      // truth 2, predicted 0
            0f, 0f, 0f,      // truth 0, tie -> first index 0
            9f, 9f, 9f,      // padding row (label -1)
            1f, 0f, 3f,      // truth 2, predicted 2
        ];
        var cm = new ConfusionMatrix(3);
        cm.AddLogits(logits, [1, 2, 0, -1, 2]);
        Assert.Equal(4, cm.Total);
        Assert.Equal(1, cm[1, 1]);
        Assert.Equal(1, cm[2, 0]);
        Assert.Equal(1, cm[0, 0]);
        Assert.Equal(1, cm[2, 2]);
        Assert.Equal(0.75, cm.Accuracy, 12);
        Assert.Equal([1.0, 1.0, 0.5], cm.PerClassAccuracy());
        string csv = cm.ToCsv(["a", "b,c", "d"]);
        Assert.Contains("\"b,c\"", csv);
        Assert.Equal(4, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void PerClassAccuracyIsNaNForAnAbsentClass() =>
        Assert.True(double.IsNaN(new ConfusionMatrix(2).PerClassAccuracy()[1]));

    [Fact]
    public void TopOneTopFiveAndLossMatchAReference()
    {
        const int classes = 7;
        var rng = new Random(11);
        int n = 50;
        var logits = new float[n * classes];
        var labels = new int[n];
        for (int i = 0; i < logits.Length; i++) logits[i] = (float)(rng.NextDouble() * 6 - 3);
        for (int i = 0; i < n; i++) labels[i] = rng.Next(classes);

        var m = new ClassificationMetrics(classes);
        m.Add(logits.AsSpan(0, 20 * classes), labels.AsSpan(0, 20)); // two batches accumulate
        m.Add(logits.AsSpan(20 * classes), labels.AsSpan(20));

        int top1 = 0, top5 = 0;
        double loss = 0;
        for (int i = 0; i < n; i++)
        {
            double[] row = logits.Skip(i * classes).Take(classes).Select(v => (double)v).ToArray();
            int[] order = Enumerable.Range(0, classes).OrderByDescending(k => row[k]).ThenBy(k => k).ToArray();
            if (order[0] == labels[i]) top1++;
            if (order.Take(5).Contains(labels[i])) top5++;
            loss += -Math.Log(Math.Exp(row[labels[i]]) / row.Sum(Math.Exp));
        }
        Assert.Equal(n, m.Count);
        Assert.Equal(1 - top1 / (double)n, m.Top1Error, 12);
        Assert.Equal(1 - top5 / (double)n, m.Top5Error, 12);
        Assert.True(Math.Abs(m.MeanLoss - loss / n) < 1e-9, $"{m.MeanLoss} vs {loss / n}");
        Assert.True(m.Top5Error <= m.Top1Error);
    }

    [Fact]
    public void EmptyMetricsAreNaN()
    {
        var m = new ClassificationMetrics(10);
        m.Add([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f], [-1]);
        Assert.Equal(0, m.Count);
        Assert.True(double.IsNaN(m.Top1Error));
    }
}
