using System.Text.RegularExpressions;
using VkResNet.Graph.IO;
using VkResNet.Runtime.Tests;
using VkResNet.Viewer.Rendering;
using VkResNet.Viewer.Sources;
using Xunit;

namespace VkResNet.Viewer.Tests;

/// <summary>
/// Headless screenshots of the synthetic source (validation on): the layout (tile count per stage),
/// tiles that vary where the activations vary and are flat where they do not, viridis' endpoints,
/// and the bitmap font.
/// </summary>
public sealed class ScreenshotTests(GpuFixture gpu) : GpuTest(gpu)
{
    const int W = 640, H = 400;
    static readonly (string, int, int, int)[] Shapes =
        [("stem", 16, 28, 28), ("maxpool", 16, 14, 14), ("odd", 13, 9, 7), ("wide", 300, 3, 3), ("pool", 40, 1, 1)];
    static readonly (byte R, byte G, byte B) Background = (22, 22, 28);

    static (byte, byte, byte) Pixel(RasterImage im, int x, int y) => (im[y, x, 0], im[y, x, 1], im[y, x, 2]);

    RasterImage Render(SyntheticFeatureSource source, ViewState state, out ViewLayout layout)
    {
        using var renderer = new FrameRenderer(source, slots: 1);
        var image = Screenshot.Render(renderer, state, W, H);
        layout = renderer.Layout(state);
        return image;
    }

    [Theory]
    [InlineData(0, 0, false)]
    [InlineData(1, 0, true)]
    [InlineData(2, 1, false)]
    [InlineData(3, 0, false)]
    [InlineData(3, 1, true)]
    [InlineData(4, 0, true)]
    public void Each_stage_shows_one_tile_per_channel_flat_only_where_activations_are(int stage, int image, bool perStage)
    {
        using var source = new SyntheticFeatureSource(Device, Shapes, images: 2, inputSize: 40);
        source.SelectImage(image);
        var state = new ViewState { PerStageNormalisation = perStage };
        state.SelectStage(stage, Shapes.Length);
        var im = Render(source, state, out var l);
        var (_, c, h, w) = Shapes[stage];
        Assert.Equal(Math.Min(c, l.PerPage), l.TileCount);

        int drawn = 0;
        for (int t = 0; t < l.Cols * l.Rows; t++)
        {
            var (x0, y0) = l.TileOrigin(t);
            var colors = new HashSet<(byte, byte, byte)>();
            for (int y = y0; y < y0 + l.TileH; y++)
                for (int x = x0; x < x0 + l.TileW; x++)
                    colors.Add(Pixel(im, x, y));
            if (t >= l.TileCount)
            {
                Assert.True(colors.SetEquals([Background]), $"stage {stage}: tile slot {t} past the last channel is not empty");
                continue;
            }
            drawn++;
            int ch = l.FirstChannel + t;
            bool flat = ch % SyntheticFeatureSource.ConstantEvery == SyntheticFeatureSource.ConstantEvery - 1 || h * w == 1;
            Assert.False(colors.Contains(Background), $"stage {stage} channel {ch}: tile shows background");
            if (flat) Assert.True(colors.Count == 1, $"stage {stage} channel {ch}: constant activations drawn with {colors.Count} colours");
            else Assert.True(colors.Count > 1, $"stage {stage} channel {ch}: varying activations drawn flat");
        }
        Assert.Equal(l.TileCount, drawn);
    }

    [Fact]
    public void Per_channel_ramp_spans_viridis_from_its_first_to_its_last_colour()
    {
        using var source = new SyntheticFeatureSource(Device, Shapes, images: 1, inputSize: 40);
        var state = new ViewState();
        state.SelectStage(0, Shapes.Length);
        state.ZoomChannel = 0; // channel 0 is a ramp in x: min at the left edge, max at the right
        var im = Render(source, state, out var l);
        var (x0, y0) = l.TileOrigin(0);
        AssertNear((68, 1, 84), Pixel(im, x0, y0 + l.TileH / 2), "left edge = viridis(0) #440154");
        AssertNear((253, 231, 37), Pixel(im, x0 + l.TileW - 1, y0 + l.TileH / 2), "right edge = viridis(1) #FDE725");
        AssertNear((33, 145, 140), Pixel(im, x0 + l.TileW / 2, y0 + l.TileH / 2), "middle = viridis(0.5) #21918C", tolerance: 6);
    }

    static void AssertNear((int R, int G, int B) want, (byte R, byte G, byte B) got, string what, int tolerance = 1) =>
        Assert.True(Math.Abs(want.R - got.R) <= tolerance && Math.Abs(want.G - got.G) <= tolerance && Math.Abs(want.B - got.B) <= tolerance,
            $"{what}: got ({got.R},{got.G},{got.B}), want {want}");

    /// <summary>The shipped font's bits for one ASCII character, parsed from viewer_font.glsl.</summary>
    internal static bool[,] Glyph(char ch)
    {
        string src = File.ReadAllText(Path.Combine(MirrorTests.RepoRoot(), "src", "Viewer", "Shaders", "include", "viewer_font.glsl"));
        uint[] words = Regex.Matches(src, @"0x([0-9a-f]{8})u").Select(m => Convert.ToUInt32(m.Groups[1].Value, 16)).ToArray();
        var g = new bool[13, 6];
        for (int y = 0; y < 13; y++)
        {
            uint row = (words[(ch - 32) * 4 + y / 4] >> (8 * (y % 4))) & 0xFF;
            for (int x = 0; x < 6; x++) g[y, x] = (row & (0x80u >> x)) != 0;
        }
        return g;
    }

    [Fact]
    public void Stage_names_are_drawn_with_the_bitmap_font()
    {
        (string, int, int, int)[] shapes = [("AWg", 4, 5, 5), ("x", 4, 5, 5)];
        using var source = new SyntheticFeatureSource(Device, shapes, images: 1, inputSize: 16);
        var state = new ViewState();
        var im = Render(source, state, out var l);
        var b = l.Button(0);
        (byte, byte, byte) ink = (0xF0, 0xD0, 0x40), paper = (70, 70, 96); // selected stage: yellow on the highlighted button
        int lit = 0;
        for (int k = 0; k < 3; k++)
        {
            var g = Glyph("AWg"[k]);
            for (int y = 0; y < 13; y++)
                for (int x = 0; x < 6; x++)
                {
                    var p = Pixel(im, b.X + 3 + 6 * k + x, b.Y + 4 + y);
                    Assert.True(p == (g[y, x] ? ink : paper), $"glyph '{"AWg"[k]}' pixel ({x},{y}): got {p}, want {(g[y, x] ? "ink" : "paper")}");
                    lit += g[y, x] ? 1 : 0;
                }
        }
        Assert.True(lit > 30, $"only {lit} lit pixels in \"AWg\": the font data look empty");
    }
}
