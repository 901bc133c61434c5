using VkResNet.Viewer.Rendering;
using Xunit;

namespace VkResNet.Viewer.Tests;

/// <summary>The layout arithmetic, without a GPU: tile counts, paging, hit tests.</summary>
public sealed class LayoutTests
{
    [Theory]
    [InlineData(1280, 800, 64, 112, 112, 0)]
    [InlineData(1280, 800, 512, 7, 7, 0)]
    [InlineData(640, 400, 2048, 7, 7, 3)]
    [InlineData(640, 400, 13, 9, 7, 0)]
    [InlineData(300, 200, 100, 1, 1, 1)]
    public void Tiles_cover_every_channel_once_across_pages(int w, int h, int c, int mh, int mw, int page)
    {
        var l = ViewLayout.Compute(w, h, 7, (c, mh, mw), (224, 224), page, -1);
        Assert.True(l.PerPage >= 1 && l.PerPage <= c, $"per page {l.PerPage} for {c} channels");
        Assert.Equal((c + l.PerPage - 1) / l.PerPage, l.Pages);
        Assert.Equal(Math.Min(l.PerPage, c - l.FirstChannel), l.TileCount);
        Assert.True(l.Cols * l.Rows >= l.TileCount, $"{l.Cols}x{l.Rows} grid for {l.TileCount} tiles");
        var (lx, ly) = l.TileOrigin(l.TileCount - 1);
        Assert.True(lx + l.TileW <= l.GridArea.X + l.GridArea.W && ly + l.TileH <= l.GridArea.Y + l.GridArea.H,
            $"last tile at ({lx},{ly}) size {l.TileW}x{l.TileH} leaves the grid area {l.GridArea}");
        for (int t = 0; t < l.TileCount; t++)
        {
            var (x, y) = l.TileOrigin(t);
            Assert.Equal(l.FirstChannel + t, l.ChannelAt(x + l.TileW / 2, y + l.TileH / 2));
        }
        if (c > l.PerPage) Assert.True(l.TileW >= ViewLayout.MinTile - 1, $"tiles of {l.TileW} px are below the minimum");
    }

    [Fact]
    public void Zoom_shows_one_channel_filling_the_grid_and_hit_tests_find_stages()
    {
        var l = ViewLayout.Compute(1280, 800, 7, (64, 56, 56), (224, 224), 0, 17);
        Assert.Equal((1, 17, 1), (l.TileCount, l.FirstChannel, l.Cols));
        Assert.True(l.TileW > 500 && l.TileH == l.TileW, $"zoomed tile {l.TileW}x{l.TileH}");
        for (int s = 0; s < 7; s++)
        {
            var b = l.Button(s);
            Assert.Equal(s, l.StageAt(b.X + 1, b.Y + 1));
        }
        Assert.Equal(-1, l.StageAt(2, 2));
    }
}

/// <summary>What issue 16 asked of the layout: a colour bar, strip numbers clear of their bars, a grid that fills its area, the curves panel.</summary>
public sealed class LayoutFillTests
{
    [Theory]
    [InlineData(1280, 800, 16, 28, 28)]
    [InlineData(1280, 800, 16, 32, 32)]
    [InlineData(1280, 800, 64, 56, 56)]
    [InlineData(1000, 700, 10, 7, 7)]
    public void The_channel_grid_fills_its_area(int w, int h, int c, int mh, int mw)
    {
        var l = ViewLayout.Compute(w, h, 5, (c, mh, mw), (28, 28), 0, -1);
        double usedW = (l.Cols * (l.TileW + ViewLayout.Gap) - ViewLayout.Gap) / (double)l.GridArea.W;
        double usedH = (l.Rows * (l.TileH + ViewLayout.Gap) - ViewLayout.Gap) / (double)l.GridArea.H;
        Assert.True(usedW * usedH >= 0.75, $"{l.Cols}x{l.Rows} tiles of {l.TileW}x{l.TileH} cover {usedW:P0} x {usedH:P0} of {l.GridArea}");
        double stretch = (double)l.TileW / l.TileH * mh / mw;
        Assert.InRange(stretch, 1 / ViewLayout.MaxStretch - 0.02, ViewLayout.MaxStretch + 0.02);
    }

    [Fact]
    public void Colour_bar_sits_over_the_grid_and_the_curves_panel_under_it()
    {
        var l = ViewLayout.Compute(1280, 800, 5, (16, 28, 28), (28, 28), 0, -1, curves: true);
        Assert.True(l.ColourBar.W > 200 && l.ColourBar.H > 0, $"colour bar {l.ColourBar}");
        Assert.True(l.ColourBar.Bottom <= l.GridArea.Y, $"colour bar {l.ColourBar} overlaps the grid {l.GridArea}");
        Assert.True(l.ColourBar.X - ViewLayout.ColourLabelW >= l.GridArea.X, "the low-end number has no room");
        Assert.True(l.Curves.W > 400 && l.Curves.H >= 120, $"curves panel {l.Curves}");
        Assert.True(l.GridArea.Bottom <= l.Curves.Y, $"grid {l.GridArea} overlaps the curves {l.Curves}");
        Assert.True(l.Curves.Bottom <= 800, $"curves {l.Curves} leave the view");
        var none = ViewLayout.Compute(1280, 800, 5, (16, 28, 28), (28, 28), 0, -1);
        Assert.Equal(0, none.Curves.W);
        Assert.True(none.GridArea.H > l.GridArea.H);
    }

    [Fact]
    public void Strip_numbers_end_above_the_bars()
    {
        Assert.True(ViewLayout.StripNumberY + ViewLayout.FontH <= ViewLayout.StripH - ViewLayout.BarH,
            $"numbers at {ViewLayout.StripNumberY}..{ViewLayout.StripNumberY + ViewLayout.FontH} reach into the bars from {ViewLayout.StripH - ViewLayout.BarH}");
    }

    static IReadOnlyList<VkResNet.Graph.Reporting.MetricsRow> Rows(int steps) => Enumerable.Range(1, steps)
        .Select(s => new VkResNet.Graph.Reporting.MetricsRow(s, 1, "train", 2.0 / s, 1 - 0.8 / Math.Sqrt(s), double.NaN, 0.1, 100, s))
        .Append(new VkResNet.Graph.Reporting.MetricsRow(steps, 1, "test", 0.5, 0.8, 0.99, 0.1, double.NaN, steps)).ToList();

    [Fact]
    public void Curves_panel_traces_loss_and_both_errors_across_its_width()
    {
        var panel = new Rect(300, 500, 900, 240);
        var columns = new uint[CurvesPanel.Series * 2048];
        var labels = new LabelList(32, 1024);
        int w = CurvesPanel.Build(Rows(40), panel, columns, labels);
        var (loss, err) = CurvesPanel.Plots(panel);
        Assert.Equal(loss.W, w);
        Assert.True(loss.Bottom < err.Y && err.Bottom <= panel.Bottom, $"plots {loss} {err} in {panel}");
        int Lit(int series) => columns.AsSpan(series * w, w).ToArray().Count(c => c != CurvesPanel.Empty);
        Assert.True(Lit(0) > 0.95 * w, $"loss covers {Lit(0)} of {w} columns");
        Assert.True(Lit(1) > 0.95 * w, $"train error covers {Lit(1)} of {w} columns");
        Assert.InRange(Lit(2), 1, 10); // one test row: a marker at the last step
        // The loss falls: its line is high at the left and low at the right (y grows downwards).
        var lossLit = columns.AsSpan(0, w).ToArray().Where(c => c != CurvesPanel.Empty).ToArray();
        Assert.True((lossLit[0] & 0xFFFF) < (lossLit[^1] & 0xFFFF), $"loss starts at row {lossLit[0] & 0xFFFF}, ends at {lossLit[^1] & 0xFFFF}");
        Assert.All(columns.AsSpan(0, 3 * w).ToArray().Where(c => c != CurvesPanel.Empty), c => Assert.True((c >> 16) < 0xFFFF));
        var text = string.Concat(Enumerable.Range(0, labels.Count).Select(i => new string(labels.Chars.Slice(labels.Labels[i].start, labels.Labels[i].len).ToArray().Select(u => (char)u).ToArray()) + "|"));
        Assert.Contains("loss|", text);
        Assert.Contains("error %|", text);
        Assert.Contains("step 40", text);
        Assert.Contains("test err 20.0%", text);
    }

    [Fact]
    public void Curves_panel_without_rows_says_it_waits()
    {
        var labels = new LabelList(32, 1024);
        var columns = new uint[CurvesPanel.Series * 512];
        int w = CurvesPanel.Build([], new Rect(0, 0, 500, 200), columns, labels);
        Assert.All(columns.AsSpan(0, 3 * w).ToArray(), c => Assert.Equal(CurvesPanel.Empty, c));
        Assert.Equal(1, labels.Count);
    }
}
