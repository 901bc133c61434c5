using System.Xml.Linq;
using VkResNet.Graph.Reporting;
using VkResNet.Graph.Tests.Support;
using Xunit;

namespace VkResNet.Graph.Tests.Reporting;

public class SvgPlotTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WritesWellFormedSvgWithEverySeriesAndLegend(bool logY)
    {
        double[] epochs = Enumerable.Range(1, 20).Select(i => (double)i).ToArray();
        var plot = new SvgPlot { Title = "CIFAR-10 <plain> & residual", XLabel = "epoch", YLabel = "error (%)", LogY = logY };
        plot.AddTrainTest("plain-20", epochs, epochs.Select(e => 60 / e + 5).ToArray(), epochs.Select(e => 60 / e + 9).ToArray());
        plot.AddTrainTest("plain-56", epochs, epochs.Select(e => 70 / e + 8).ToArray(), epochs.Select(e => 70 / e + 12).ToArray());
        double[] withGap = epochs.Select(e => e == 10 ? double.NaN : 30 / e + 4).ToArray();
        plot.AddSeries("resnet-56 test", epochs, withGap, SeriesStyle.Test());

        using var dir = new TempDir();
        string path = dir.File("fig.svg");
        plot.Save(path);
        XDocument doc = XDocument.Load(path);
        Assert.Equal(Svg + "svg", doc.Root!.Name);

        var paths = doc.Descendants(Svg + "path").Where(p => p.Attribute("data-series") is not null).ToList();
        Assert.Equal(["plain-20 train", "plain-20 test", "plain-56 train", "plain-56 test", "resnet-56 test"],
            paths.Select(p => p.Attribute("data-series")!.Value));
        // Train thin and dashed, test bold, one colour per model.
        Assert.True(double.Parse(paths[0].Attribute("stroke-width")!.Value) < double.Parse(paths[1].Attribute("stroke-width")!.Value));
        Assert.NotNull(paths[0].Attribute("stroke-dasharray"));
        Assert.Null(paths[1].Attribute("stroke-dasharray"));
        Assert.Equal(paths[0].Attribute("stroke")!.Value, paths[1].Attribute("stroke")!.Value);
        Assert.NotEqual(paths[1].Attribute("stroke")!.Value, paths[3].Attribute("stroke")!.Value);
        // The NaN breaks the last line into two pieces.
        Assert.Equal(2, paths[4].Attribute("d")!.Value.Count(ch => ch == 'M'));
        Assert.Equal(20, paths[0].Attribute("d")!.Value.Count(ch => ch is 'M' or 'L'));

        var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("CIFAR-10 <plain> & residual", texts);
        Assert.Contains("epoch", texts);
        Assert.Contains("error (%)", texts);
        var legend = doc.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "legend");
        Assert.Equal(5, legend.Elements(Svg + "text").Count());
        // Every drawn coordinate lies inside the canvas.
        foreach (var p in paths)
            foreach (string token in p.Attribute("d")!.Value.Split([' ', 'M', 'L'], StringSplitOptions.RemoveEmptyEntries))
                Assert.InRange(double.Parse(token, System.Globalization.CultureInfo.InvariantCulture), 0, Math.Max(plot.Width, plot.Height));
    }

    [Theory]
    [InlineData(0, 1, 0.2)]
    [InlineData(3, 97, 20)]
    [InlineData(-5, 5, 2)]
    public void LinearTicksAreNiceAndCoverTheRange(double lo, double hi, double step)
    {
        double[] ticks = SvgPlot.LinearTicks(lo, hi);
        Assert.True(ticks[0] <= lo && ticks[^1] >= hi, string.Join(", ", ticks));
        for (int i = 1; i < ticks.Length; i++) Assert.Equal(step, ticks[i] - ticks[i - 1], 9);
    }

    [Fact]
    public void LogTicksAreDecadesWithSubdivisionsOnShortRanges()
    {
        Assert.Equal([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1], SvgPlot.LogTicks(0.03, 0.9));
        Assert.Equal([0.001, 0.01, 0.1, 1, 10], SvgPlot.LogTicks(0.002, 7));
    }
}

public class TrainingCurvesTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    static IReadOnlyList<MetricsRow> Rows(double scale, int epochs = 2, int steps = 20)
    {
        var rows = new List<MetricsRow>();
        for (int e = 1; e <= epochs; e++)
        {
            for (int s = 5; s <= steps; s += 5)
            {
                long step = (e - 1) * steps + s;
                rows.Add(new MetricsRow(step, e, MetricsRow.Train, scale * 2.0 / step, 1 - scale * 0.5 / Math.Sqrt(step), double.NaN, 0.1 * step / (epochs * steps), 100, s));
            }
            rows.Add(new MetricsRow(e * steps, e, MetricsRow.Test, scale / e, 1 - scale * 0.3 / e, 0.99, 0.1, double.NaN, 20));
        }
        return rows;
    }

    [Fact]
    public void Three_panels_share_the_step_axis_loss_error_and_learning_rate()
    {
        string svg = TrainingCurves.Build("resnet20 on Fashion-MNIST", [new TrainingCurves.Run("resnet20", Rows(1))]).ToSvg();
        var doc = XDocument.Parse(svg);
        var panels = doc.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "panel").ToList();
        Assert.Equal(["loss", "error (%)", "learning rate"], panels.Select(p => p.Attribute("data-panel")!.Value));
        // The same step ticks in every panel: one x axis.
        string[] Ticks(XElement panel) => panel.Descendants(Svg + "text").Where(t => t.Attribute("y") is { } y && t.Attribute("text-anchor")?.Value == "middle" && (string?)t.Attribute("class") is null)
            .Select(t => t.Attribute("x")!.Value + ":" + t.Value).ToArray();
        Assert.NotEmpty(Ticks(panels[0]));
        Assert.Equal(Ticks(panels[0]), Ticks(panels[2]));
        Assert.Equal(Ticks(panels[1]), Ticks(panels[2]));
        Assert.Contains("step", panels[2].Descendants(Svg + "text").Select(t => t.Value));
        // Train: a point every row; test: one marker per epoch.
        var lossTrain = panels[0].Descendants(Svg + "path").Single(p => (string?)p.Attribute("data-series") == "train");
        Assert.Equal(8, lossTrain.Attribute("d")!.Value.Count(ch => ch is 'M' or 'L'));
        Assert.Equal(2, panels[1].Descendants(Svg + "circle").Count());
        Assert.Single(panels[2].Descendants(Svg + "path"), p => (string?)p.Attribute("data-series") == "lr");
        // Panels are stacked, not drawn over each other.
        double[] offsets = panels.Select(p => double.Parse(p.Attribute("transform")!.Value.Split(' ', '(', ')')[2], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(offsets[0] < offsets[1] && offsets[1] < offsets[2], string.Join(", ", offsets));
        Assert.Equal(3, doc.Descendants(Svg + "clipPath").Select(c => c.Attribute("id")!.Value).Distinct().Count());
    }

    [Fact]
    public void Several_runs_get_one_colour_each_and_their_names_in_every_panel_but_learning_rate()
    {
        string svg = TrainingCurves.Build("degradation", [new("plain20", Rows(1), "#1f77b4"), new("resnet20", Rows(0.5), "#d62728")]).ToSvg();
        var doc = XDocument.Parse(svg);
        var series = doc.Descendants(Svg + "path").Select(p => (string?)p.Attribute("data-series")).Where(n => n != null).ToList();
        Assert.Equal(2, series.Count(n => n == "plain20 train"));   // loss and error panels
        Assert.Equal(2, series.Count(n => n == "resnet20 test"));
        Assert.Single(series, n => n!.StartsWith("lr"));
    }
}
