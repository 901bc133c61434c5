using System.Text;

namespace VkResNet.Graph.IO;

/// <summary>
/// Decodes binary PGM (P5) and PPM (P6): ASCII header "P5|P6 width height maxval" with '#' comments,
/// one whitespace byte, then raw samples (1 byte when maxval &lt; 256, else 2 bytes big-endian),
/// rescaled to 0..255 when maxval is not 255.
/// </summary>
public static class PnmReader
{
    public static bool HasSignature(ReadOnlySpan<byte> data) => data.Length >= 2 && data[0] == (byte)'P' && (data[1] == (byte)'5' || data[1] == (byte)'6');

    public static RasterImage Read(string path) => Decode(File.ReadAllBytes(path));

    public static RasterImage Decode(ReadOnlySpan<byte> data)
    {
        if (!HasSignature(data)) throw new InvalidDataException("not a binary PGM/PPM (expected P5 or P6)");
        int channels = data[1] == (byte)'5' ? 1 : 3;
        int pos = 2;
        int width = ReadHeaderInt(data, ref pos, "width");
        int height = ReadHeaderInt(data, ref pos, "height");
        int maxval = ReadHeaderInt(data, ref pos, "maxval");
        if (width <= 0 || height <= 0 || (long)width * height > RasterImage.MaxPixels) throw new InvalidDataException($"PNM size {width}x{height} is not supported");
        if (maxval is <= 0 or > 65535) throw new InvalidDataException($"PNM maxval {maxval} is outside 1..65535");
        if (pos >= data.Length || !IsSpace(data[pos])) throw new InvalidDataException("PNM header is not followed by whitespace");
        pos++;
        int sampleBytes = maxval < 256 ? 1 : 2;
        long samples = (long)width * height * channels;
        if (data.Length - pos < samples * sampleBytes)
            throw new InvalidDataException($"truncated PNM: {width}x{height}x{channels} needs {samples * sampleBytes} data bytes, file has {data.Length - pos}");
        var px = new byte[samples];
        for (long i = 0; i < samples; i++)
        {
            int v = sampleBytes == 1 ? data[(int)(pos + i)] : (data[(int)(pos + 2 * i)] << 8) | data[(int)(pos + 2 * i + 1)];
            if (v > maxval) throw new InvalidDataException($"PNM sample {v} exceeds maxval {maxval}");
            px[i] = maxval == 255 ? (byte)v : (byte)((v * 255 + maxval / 2) / maxval);
        }
        return new RasterImage(width, height, channels, px);
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0b or 0x0c;

    private static int ReadHeaderInt(ReadOnlySpan<byte> d, ref int pos, string what)
    {
        while (pos < d.Length)
        {
            if (IsSpace(d[pos])) pos++;
            else if (d[pos] == (byte)'#') { while (pos < d.Length && d[pos] != (byte)'\n') pos++; }
            else break;
        }
        int start = pos;
        long v = 0;
        while (pos < d.Length && d[pos] >= (byte)'0' && d[pos] <= (byte)'9' && pos - start < 9) v = v * 10 + (d[pos++] - '0');
        if (pos == start) throw new InvalidDataException($"PNM header: expected {what}, found {(pos < d.Length ? Encoding.ASCII.GetString(d.Slice(pos, 1)) : "end of file")}");
        return (int)v;
    }
}
