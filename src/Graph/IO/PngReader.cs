using System.Buffers.Binary;
using System.IO.Compression;

namespace VkResNet.Graph.IO;

/// <summary>
/// Decodes non-interlaced 8-bit PNGs: gray, gray+alpha, RGB, RGBA and 8-bit palette (expanded to RGB/RGBA).
/// IDAT chunks are concatenated and inflated with ZLibStream; each scanline is unfiltered
/// (None, Sub, Up, Average, Paeth). Chunk CRCs are checked. Anything else throws InvalidDataException.
/// </summary>
public static class PngReader
{
    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static bool HasSignature(ReadOnlySpan<byte> data) => data.Length >= 8 && data[..8].SequenceEqual(Signature);

    public static RasterImage Read(string path) => Decode(File.ReadAllBytes(path));

    public static RasterImage Decode(ReadOnlySpan<byte> png)
    {
        if (!HasSignature(png)) throw new InvalidDataException("not a PNG (bad signature)");
        int pos = 8;
        int width = 0, height = 0, colorType = -1;
        byte[]? palette = null, paletteAlpha = null;
        using var idat = new MemoryStream();
        bool sawEnd = false;
        while (!sawEnd)
        {
            if (pos + 12 > png.Length) throw new InvalidDataException("truncated PNG: chunk header past end of file");
            int length = BinaryPrimitives.ReadInt32BigEndian(png[pos..]);
            if (length < 0 || pos + 12L + length > png.Length) throw new InvalidDataException($"truncated PNG: chunk of {length} bytes at offset {pos} runs past end of file");
            ReadOnlySpan<byte> typeAndData = png.Slice(pos + 4, 4 + length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png[(pos + 8 + length)..]);
            string type = System.Text.Encoding.ASCII.GetString(typeAndData[..4]);
            if (Crc32.Compute(typeAndData) != crc) throw new InvalidDataException($"PNG chunk {type} at offset {pos} has a bad CRC");
            ReadOnlySpan<byte> data = typeAndData[4..];
            switch (type)
            {
                case "IHDR":
                    if (length != 13) throw new InvalidDataException("PNG IHDR is not 13 bytes");
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    int bitDepth = data[8];
                    colorType = data[9];
                    if (width <= 0 || height <= 0 || (long)width * height > RasterImage.MaxPixels) throw new InvalidDataException($"PNG size {width}x{height} is not supported");
                    if (bitDepth != 8) throw new InvalidDataException($"PNG bit depth {bitDepth} is not supported (only 8)");
                    if (colorType is not (0 or 2 or 3 or 4 or 6)) throw new InvalidDataException($"PNG color type {colorType} is invalid");
                    if (data[10] != 0 || data[11] != 0) throw new InvalidDataException("PNG compression or filter method is not 0");
                    if (data[12] != 0) throw new InvalidDataException("interlaced (Adam7) PNGs are not supported");
                    break;
                case "PLTE":
                    palette = data.ToArray();
                    break;
                case "tRNS":
                    if (colorType == 3) paletteAlpha = data.ToArray();
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
                default:
                    if ((typeAndData[0] & 0x20) == 0 && type != "IHDR") throw new InvalidDataException($"unknown critical PNG chunk {type}");
                    break;
            }
            if (colorType < 0) throw new InvalidDataException("PNG does not start with IHDR");
            pos += 12 + length;
        }
        if (idat.Length == 0) throw new InvalidDataException("PNG has no IDAT data");

        int sampleChannels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        int stride = width * sampleChannels;
        var raw = new byte[(long)(stride + 1) * height];
        idat.Position = 0;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            z.ReadExactly(raw);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new InvalidDataException($"PNG image data is corrupt or short ({e.Message})", e);
        }
        var samples = Unfilter(raw, stride, height, sampleChannels);
        if (colorType != 3) return new RasterImage(width, height, sampleChannels, samples);
        return ExpandPalette(samples, width, height, palette, paletteAlpha);
    }

    private static byte[] Unfilter(byte[] raw, int stride, int height, int bpp)
    {
        var output = new byte[(long)stride * height];
        for (int y = 0; y < height; y++)
        {
            int filter = raw[y * (stride + 1)];
            ReadOnlySpan<byte> src = raw.AsSpan(y * (stride + 1) + 1, stride);
            Span<byte> cur = output.AsSpan(y * stride, stride);
            ReadOnlySpan<byte> prev = y > 0 ? output.AsSpan((y - 1) * stride, stride) : default;
            for (int i = 0; i < stride; i++)
            {
                int a = i >= bpp ? cur[i - bpp] : 0;
                int b = y > 0 ? prev[i] : 0;
                int c = y > 0 && i >= bpp ? prev[i - bpp] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) >> 1,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"PNG scanline {y} has unknown filter type {filter}"),
                };
                cur[i] = (byte)(src[i] + predictor);
            }
        }
        return output;
    }

    public static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static RasterImage ExpandPalette(byte[] indices, int width, int height, byte[]? palette, byte[]? alpha)
    {
        if (palette is null || palette.Length % 3 != 0) throw new InvalidDataException("palette PNG has no valid PLTE chunk");
        int entries = palette.Length / 3;
        int channels = alpha is null ? 3 : 4;
        var px = new byte[(long)width * height * channels];
        for (int i = 0; i < indices.Length; i++)
        {
            int k = indices[i];
            if (k >= entries) throw new InvalidDataException($"palette index {k} is outside the {entries}-entry palette");
            px[i * channels] = palette[3 * k];
            px[i * channels + 1] = palette[3 * k + 1];
            px[i * channels + 2] = palette[3 * k + 2];
            if (alpha is not null) px[i * channels + 3] = k < alpha.Length ? alpha[k] : (byte)255;
        }
        return new RasterImage(width, height, channels, px);
    }
}
