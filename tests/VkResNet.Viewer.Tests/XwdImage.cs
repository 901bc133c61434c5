using System.Buffers.Binary;
using VkResNet.Graph.IO;

namespace VkResNet.Viewer.Tests;

/// <summary>Reads the screen Xvfb keeps in an XWD file (-fbdir): 24-bit TrueColor, 32 bits per pixel.</summary>
public static class XwdImage
{
    public static RasterImage Read(byte[] d)
    {
        uint F(int i) => BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(4 * i));
        int headerSize = (int)F(0), width = (int)F(4), height = (int)F(5), byteOrder = (int)F(7);
        int bitsPerPixel = (int)F(11), bytesPerLine = (int)F(12), colors = (int)F(19);
        if (bitsPerPixel != 32) throw new InvalidDataException($"XWD with {bitsPerPixel} bits per pixel; expected 32 (Xvfb -screen 0 WxHx24).");
        int at = headerSize + 12 * colors;
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int p = at + y * bytesPerLine + 4 * x;
                uint v = byteOrder == 0 ? BinaryPrimitives.ReadUInt32LittleEndian(d.AsSpan(p)) : BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(p));
                int o = 3 * (y * width + x);
                rgb[o] = (byte)(v >> 16);
                rgb[o + 1] = (byte)(v >> 8);
                rgb[o + 2] = (byte)v;
            }
        return new RasterImage(width, height, 3, rgb);
    }
}
