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
