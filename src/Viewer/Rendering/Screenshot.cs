using VkResNet.Graph.IO;

namespace VkResNet.Viewer.Rendering;

/// <summary>The headless path: render one frame offscreen (no window system) and write it as a PNG.</summary>
public static class Screenshot
{
    /// <summary>Packed RGBA8 pixels (as <see cref="FrameRenderer.RenderToHost"/> returns them) as an RGB image.</summary>
    public static RasterImage ToImage(uint[] pixels, int width, int height)
    {
        var rgb = new byte[width * height * 3];
        for (int i = 0; i < width * height; i++)
        {
            uint p = pixels[i];
            rgb[3 * i] = (byte)p;
            rgb[3 * i + 1] = (byte)(p >> 8);
            rgb[3 * i + 2] = (byte)(p >> 16);
        }
        return new RasterImage(width, height, 3, rgb);
    }

    public static RasterImage Render(FrameRenderer renderer, ViewState state, int width, int height)
    {
        return ToImage(renderer.RenderToHost(state, width, height), width, height);
    }

    public static void Write(string path, FrameRenderer renderer, ViewState state, int width, int height) =>
        PngWriter.Write(path, Render(renderer, state, width, height));
}
