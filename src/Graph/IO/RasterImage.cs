namespace VkResNet.Graph.IO;

/// <summary>A decoded 8-bit image, interleaved HWC (channels 1 = gray, 2 = gray+alpha, 3 = RGB, 4 = RGBA).</summary>
public sealed record RasterImage(int Width, int Height, int Channels, byte[] Pixels)
{
    /// <summary>Decoders refuse images above this many pixels rather than allocate them (a corrupt header can claim 64k x 64k).</summary>
    public const long MaxPixels = 1L << 26;

    public byte this[int y, int x, int c] => Pixels[(y * Width + x) * Channels + c];
}
