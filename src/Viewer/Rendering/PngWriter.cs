using System.Buffers.Binary;
using System.IO.Compression;
using VkResNet.Graph.IO;

namespace VkResNet.Viewer.Rendering;

/// <summary>
/// Encodes 8-bit gray / gray+alpha / RGB / RGBA PNGs (non-interlaced). Each scanline gets one filter:
/// a fixed one when asked (tests use this to cover all five), otherwise the one with the smallest
/// sum of absolute residuals, the usual heuristic. The viewer's screenshots are its only product use; the Graph
/// tests compile this file in (linked) to make PNGs for the PngReader tests.
/// </summary>
public static class PngWriter
{
    /// <summary>Writes <paramref name="image"/> atomically to <paramref name="path"/>.</summary>
    public static void Write(string path, RasterImage image, int? filter = null) =>
        AtomicFile.Write(path, s => s.Write(Encode(image, filter)));

    /// <summary>PNG bytes for interleaved HWC 8-bit pixels. <paramref name="filter"/> 0..4 forces one filter type.</summary>
    public static byte[] Encode(RasterImage image, int? filter = null)
    {
        int colorType = image.Channels switch
        {
            1 => 0,
            2 => 4,
            3 => 2,
            4 => 6,
            _ => throw new ArgumentException($"PNG holds 1-4 channels, got {image.Channels}"),
        };
        if (filter is < 0 or > 4) throw new ArgumentOutOfRangeException(nameof(filter), "PNG filter types are 0..4");
        int stride = image.Width * image.Channels;
        if (image.Pixels.LongLength != (long)stride * image.Height)
            throw new ArgumentException($"{image.Pixels.Length} pixel bytes do not match {image.Width}x{image.Height}x{image.Channels}");

        var filtered = new byte[(long)(stride + 1) * image.Height];
        var candidate = new byte[stride];
        for (int y = 0; y < image.Height; y++)
        {
            ReadOnlySpan<byte> cur = image.Pixels.AsSpan(y * stride, stride);
            ReadOnlySpan<byte> prev = y > 0 ? image.Pixels.AsSpan((y - 1) * stride, stride) : default;
            Span<byte> dst = filtered.AsSpan(y * (stride + 1), stride + 1);
            if (filter is int f)
            {
                dst[0] = (byte)f;
                ApplyFilter(f, cur, prev, image.Channels, dst[1..]);
                continue;
            }
            long best = long.MaxValue;
            for (int t = 0; t <= 4; t++)
            {
                ApplyFilter(t, cur, prev, image.Channels, candidate);
                long score = 0;
                foreach (byte b in candidate) score += (sbyte)b < 0 ? -(sbyte)b : b;
                if (score < best)
                {
                    best = score;
                    dst[0] = (byte)t;
                    candidate.CopyTo(dst[1..]);
                }
            }
        }

        using var output = new MemoryStream();
        output.Write(PngReader.Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], image.Height);
        ihdr[8] = 8;
        ihdr[9] = (byte)colorType;
        ihdr[10] = ihdr[11] = ihdr[12] = 0;
        WriteChunk(output, "IHDR", ihdr);
        using (var compressed = new MemoryStream())
        {
            using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(filtered);
            WriteChunk(output, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        }
        WriteChunk(output, "IEND", default);
        return output.ToArray();
    }

    private static void ApplyFilter(int type, ReadOnlySpan<byte> cur, ReadOnlySpan<byte> prev, int bpp, Span<byte> dst)
    {
        bool hasPrev = !prev.IsEmpty;
        for (int i = 0; i < cur.Length; i++)
        {
            int a = i >= bpp ? cur[i - bpp] : 0;
            int b = hasPrev ? prev[i] : 0;
            int c = hasPrev && i >= bpp ? prev[i - bpp] : 0;
            int predictor = type switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) >> 1, _ => PngReader.Paeth(a, b, c) };
            dst[i] = (byte)(cur[i] - predictor);
        }
    }

    private static void WriteChunk(Stream s, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        for (int i = 0; i < 4; i++) head[4 + i] = (byte)type[i];
        s.Write(head);
        s.Write(data);
        uint crc = Crc32.Update(Crc32.Compute(head[4..]), data);
        BinaryPrimitives.WriteUInt32BigEndian(head, crc);
        s.Write(head[..4]);
    }
}
