using VkResNet.Viewer.Rendering;
using Xunit;

namespace VkResNet.Viewer.Tests;

/// <summary>Keys and mouse change the view as the help text says (no window needed).</summary>
public sealed class ControlsTests
{
    static readonly (int C, int H, int W)[] Stages = [(64, 56, 56), (2048, 7, 7), (13, 9, 7)];

    static ViewLayout Layout(ViewState s) =>
        ViewLayout.Compute(640, 400, Stages.Length, Stages[s.Stage], (224, 224), s.Page, s.ZoomChannel);

    [Theory]
    [InlineData(ViewControls.KeyRight, 0, 1)]
    [InlineData(ViewControls.KeyDown, 2, 2)]
    [InlineData(ViewControls.KeyLeft, 1, 0)]
    [InlineData(ViewControls.KeyLeft, 0, 0)]
    public void Arrow_keys_step_through_stages_and_clamp(int key, int from, int to)
    {
        var s = new ViewState();
        s.SelectStage(from, Stages.Length);
        Assert.Equal(ControlAction.None, ViewControls.Key(key, s, Layout(s)));
        Assert.Equal(to, s.Stage);
    }

    [Fact]
    public void Paging_zoom_normalisation_and_image_keys()
    {
        var s = new ViewState();
        s.SelectStage(1, Stages.Length); // 2048 channels: several pages at 640x400
        int pages = Layout(s).Pages;
        Assert.True(pages > 2, $"{pages} pages");
        for (int i = 0; i < pages + 3; i++) ViewControls.Key(ViewControls.KeyPageDown, s, Layout(s));
        Assert.Equal(pages - 1, s.Page);
        ViewControls.Key(ViewControls.KeyPageUp, s, Layout(s));
        Assert.Equal(pages - 2, s.Page);
        ViewControls.Scroll(+1, s, Layout(s));
        Assert.Equal(pages - 3, s.Page);

        ViewControls.Key(ViewControls.KeyZ, s, Layout(s));
        Assert.Equal(Layout(new ViewState { Stage = 1, Page = s.Page }).FirstChannel, s.ZoomChannel);
        ViewControls.Key(ViewControls.KeyZ, s, Layout(s));
        Assert.Equal(-1, s.ZoomChannel);

        ViewControls.Key(ViewControls.KeyS, s, Layout(s));
        Assert.True(s.PerStageNormalisation);
        Assert.Equal(ControlAction.NextImage, ViewControls.Key(ViewControls.KeyN, s, Layout(s)));
        Assert.Equal(ControlAction.PreviousImage, ViewControls.Key(ViewControls.KeyP, s, Layout(s)));
        Assert.Equal(ControlAction.Quit, ViewControls.Key(ViewControls.KeyEscape, s, Layout(s)));
    }

    [Fact]
    public void Clicks_zoom_a_tile_unzoom_and_pick_stages()
    {
        var s = new ViewState();
        var l = Layout(s);
        var (x, y) = l.TileOrigin(5);
        ViewControls.Click(ViewControls.MouseLeft, x + 1, y + 1, s, l);
        Assert.Equal(5, s.ZoomChannel);
        ViewControls.Click(ViewControls.MouseLeft, x + 1, y + 1, s, Layout(s));
        Assert.Equal(-1, s.ZoomChannel);
        var b = Layout(s).Button(2);
        ViewControls.Click(ViewControls.MouseLeft, b.X + 2, b.Y + 2, s, Layout(s));
        Assert.Equal((2, 0, -1), (s.Stage, s.Page, s.ZoomChannel));
    }
}
