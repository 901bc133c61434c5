namespace VkResNet.Viewer.Rendering;

/// <summary>What a key or mouse event asks of the viewer beyond changing <see cref="ViewState"/>.</summary>
public enum ControlAction { None, Quit, NextImage, PreviousImage }

/// <summary>
/// Keys and mouse to view changes, with no window system in sight (so it is tested directly):
/// Left/Right (Up/Down) stage, PgUp/PgDn/Space or wheel page, S normalisation, Z zoom the page's
/// first channel, click a tile to zoom it, click again or right-click to unzoom, click the strip
/// to pick a stage, N/P image, Esc quit. Key codes are GLFW's.
/// </summary>
public static class ViewControls
{
    public const int KeySpace = 32, KeyN = 78, KeyP = 80, KeyS = 83, KeyZ = 90;
    public const int KeyEscape = 256, KeyRight = 262, KeyLeft = 263, KeyDown = 264, KeyUp = 265, KeyPageUp = 266, KeyPageDown = 267;
    public const int MouseLeft = 0, MouseRight = 1;

    public static ControlAction Key(int key, ViewState state, ViewLayout layout)
    {
        switch (key)
        {
            case KeyEscape: return ControlAction.Quit;
            case KeyRight or KeyDown: state.SelectStage(state.Stage + 1, layout.StageCount); break;
            case KeyLeft or KeyUp: state.SelectStage(state.Stage - 1, layout.StageCount); break;
            case KeyPageDown or KeySpace: state.Page = Math.Min(state.Page + 1, layout.Pages - 1); break;
            case KeyPageUp: state.Page = Math.Max(0, state.Page - 1); break;
            case KeyS: state.PerStageNormalisation = !state.PerStageNormalisation; break;
            case KeyZ: state.ZoomChannel = state.ZoomChannel >= 0 ? -1 : layout.FirstChannel; break;
            case KeyN: return ControlAction.NextImage;
            case KeyP: return ControlAction.PreviousImage;
        }
        return ControlAction.None;
    }

    public static void Click(int button, int x, int y, ViewState state, ViewLayout layout)
    {
        int s = layout.StageAt(x, y);
        if (s >= 0) state.SelectStage(s, layout.StageCount);
        else if (state.ZoomChannel >= 0 || button == MouseRight) state.ZoomChannel = -1;
        else if (layout.ChannelAt(x, y) is int c && c >= 0) state.ZoomChannel = c;
    }

    /// <summary>Wheel down pages forward, up pages back.</summary>
    public static void Scroll(double dy, ViewState state, ViewLayout layout) =>
        state.Page = Math.Clamp(state.Page + (dy < 0 ? 1 : -1), 0, layout.Pages - 1);
}
