using Xunit;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using VkResNet.Graph.Data;
using VkResNet.Graph.IO;
using VkResNet.Graph.Tests.Support;
using VkResNet.Viewer.Rendering;

namespace VkResNet.Graph.Tests.Data;

public class ImageDecodeTests
{
    private static RasterImage RandomImage(int w, int h, int c, int seed)
    {
        var px = new byte[w * h * c];
        new Random(seed).NextBytes(px);
        return new RasterImage(w, h, c, px);
    }

    public static TheoryData<int, int, int, int?> PngCases()
    {
        var data = new TheoryData<int, int, int, int?>();
        foreach (int channels in new[] { 1, 2, 3, 4 })
            foreach (int? filter in new int?[] { 0, 1, 2, 3, 4, null })
                data.Add(9, 7, channels, filter);
        data.Add(1, 1, 3, 4);
        data.Add(13, 2, 4, null);
        return data;
    }

    [Theory]
    [MemberData(nameof(PngCases))]
    public void PngRoundTripsEveryColorTypeAndFilter(int w, int h, int channels, int? filter)
    {
        RasterImage img = RandomImage(w, h, channels, w * 100 + channels * 10 + (filter ?? 9));
        RasterImage back = PngReader.Decode(PngWriter.Encode(img, filter));
        Assert.Equal((w, h, channels), (back.Width, back.Height, back.Channels));
        Assert.Equal(img.Pixels, back.Pixels);
    }

    /// <summary>
    /// Made by an independent encoder (Python zlib, tests/reference-style): 5x5 RGB, row y filtered with type y,
    /// pixel (x, y, c) = ((53x + 97y + 31c) * 7) mod 256.
    /// </summary>
    private const string PythonPng =
        "iVBORw0KGgoAAAANSUhEUgAAAAUAAAAFCAIAAAACDbGyAAAAN0lEQVR42mNguLmp2Ef12f4ZkUbcZ5bWMS5viCxGAkzLUQHzud3Le0GAF0zwskCEpYqLgSRQPQAP1idtIE6MoAAAAABJRU5ErkJggg==";

    [Fact]
    public void DecodesAPngFromAnIndependentEncoderWithAllFiveFilters()
    {
        RasterImage img = PngReader.Decode(Convert.FromBase64String(PythonPng));
        Assert.Equal((5, 5, 3), (img.Width, img.Height, img.Channels));
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 5; x++)
                for (int c = 0; c < 3; c++)
                    Assert.Equal((53 * x + 97 * y + 31 * c) * 7 % 256, img[y, x, c]);
    }

    [Theory]
    [InlineData(10, 20, 30, 10)]   // p = 0: distances a 10, b 20, c 30
    [InlineData(100, 50, 60, 100)] // p = 90: 10, 40, 30
    [InlineData(5, 9, 1, 9)]       // p = 13: 8, 4, 12
    [InlineData(10, 12, 11, 11)]   // p = 11: 1, 1, 0
    [InlineData(5, 5, 0, 5)]       // p = 10: 5, 5, 10 -> a wins the tie
    [InlineData(0, 0, 0, 0)]
    public void PaethPicksTheNearestNeighbour(int a, int b, int c, int expected) =>
        Assert.Equal(expected, PngReader.Paeth(a, b, c));

    [Fact]
    public void DecodesPalettePngWithTransparency()
    {
        byte[] palette = [255, 0, 0, 0, 255, 0, 0, 0, 255];
        byte[] indices = [0, 1, 2, 2, 1, 0];
        byte[] png = HandMadePng(3, 2, colorType: 3, indices, palette, trns: [128]);
        RasterImage img = PngReader.Decode(png);
        Assert.Equal((3, 2, 4), (img.Width, img.Height, img.Channels));
        Assert.Equal(new byte[] { 255, 0, 0, 128 }, img.Pixels.AsSpan(0, 4).ToArray());
        Assert.Equal(new byte[] { 0, 0, 255, 255 }, img.Pixels.AsSpan(3 * 4, 4).ToArray());
    }

    public static TheoryData<string, string> BrokenPngs => new()
    {
        { "crc", "bad CRC" },
        { "interlaced", "interlaced" },
        { "depth16", "bit depth 16" },
        { "truncated", "truncated" },
        { "shortdata", "corrupt or short" },
        { "filter", "unknown filter type 7" },
    };

    [Theory]
    [MemberData(nameof(BrokenPngs))]
    public void BrokenPngGivesClearErrorNamingTheFile(string kind, string expected)
    {
        byte[] png = kind switch
        {
            "crc" => Corrupt(PngWriter.Encode(RandomImage(4, 4, 3, 1)), 20),
            "interlaced" => HandMadePng(2, 2, 0, new byte[4], null, null, interlace: 1),
            "depth16" => HandMadePng(2, 2, 0, new byte[8], null, null, bitDepth: 16),
            "truncated" => PngWriter.Encode(RandomImage(4, 4, 3, 1))[..40],
            "shortdata" => HandMadePng(4, 4, 0, new byte[8], null, null),
            "filter" => HandMadePng(2, 1, 0, [9, 9], null, null, filterByte: 7),
            _ => throw new ArgumentException(kind),
        };
        using var dir = new TempDir();
        string path = dir.File("broken.png");
        File.WriteAllBytes(path, png);
        var e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Decode(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'G', (byte)'I', (byte)'F', (byte)'8' }, "GIF is not supported")]
    [InlineData(new byte[] { (byte)'B', (byte)'M', 0, 0 }, "BMP is not supported")]
    [InlineData(new byte[] { 1, 2, 3 }, "unrecognised image format")]
    public void UnsupportedFormatNamesFileAndSupportedFormats(byte[] content, string expected)
    {
        using var dir = new TempDir();
        string path = dir.File("photo.jpg");
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<DatasetException>(() => ImageFolderDataset.Decode(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Contains("PNG", e.Message);
        Assert.Contains("PPM", e.Message);
    }

    [Fact]
    public void DecodesBinaryPpmWithComments()
    {
        byte[] head = Encoding.ASCII.GetBytes("P6\n# made by hand\n3 2\n255\n");
        byte[] px = Enumerable.Range(0, 18).Select(i => (byte)(i * 13)).ToArray();
        RasterImage img = PnmReader.Decode([.. head, .. px]);
        Assert.Equal((3, 2, 3), (img.Width, img.Height, img.Channels));
        Assert.Equal(px, img.Pixels);
    }

    [Fact]
    public void DecodesSixteenBitPgmRescaled()
    {
        byte[] head = Encoding.ASCII.GetBytes("P5 2 1 65535\n");
        RasterImage img = PnmReader.Decode([.. head, 0xFF, 0xFF, 0x80, 0x00]);
        Assert.Equal(new byte[] { 255, 128 }, img.Pixels);
    }

    [Theory]
    [InlineData("P6\n3 2\n255\n", "truncated PNM")]
    [InlineData("P5\nx 2\n255\n", "expected width")]
    [InlineData("P5\n2 2\n0\n", "maxval 0")]
    public void BrokenPnmIsReported(string header, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => PnmReader.Decode([.. Encoding.ASCII.GetBytes(header), 1, 2, 3]));
        Assert.Contains(expected, e.Message);
    }

    private static byte[] Corrupt(byte[] data, int at)
    {
        data[at] ^= 0x55;
        return data;
    }

    /// <summary>A PNG assembled chunk by chunk with every scanline using filter 0 (or <paramref name="filterByte"/>).</summary>
    private static byte[] HandMadePng(int w, int h, int colorType, byte[] samples, byte[]? palette, byte[]? trns,
                                      int bitDepth = 8, int interlace = 0, int filterByte = 0)
    {
        int stride = samples.Length / h;
        var raw = new List<byte>();
        for (int y = 0; y < h; y++)
        {
            raw.Add((byte)filterByte);
            raw.AddRange(samples.AsSpan(y * stride, stride).ToArray());
        }
        using var ms = new MemoryStream();
        ms.Write(PngReader.Signature);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colorType;
        ihdr[12] = (byte)interlace;
        Chunk(ms, "IHDR", ihdr);
        if (palette is not null) Chunk(ms, "PLTE", palette);
        if (trns is not null) Chunk(ms, "tRNS", trns);
        using (var z = new MemoryStream())
        {
            using (var zs = new ZLibStream(z, CompressionLevel.Fastest, leaveOpen: true)) zs.Write(raw.ToArray());
            Chunk(ms, "IDAT", z.ToArray());
        }
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var buf = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(buf, data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(buf, 4);
        data.CopyTo(buf, 8);
        BinaryPrimitives.WriteUInt32BigEndian(buf.AsSpan(8 + data.Length), Crc32.Compute(buf.AsSpan(4, 4 + data.Length)));
        s.Write(buf);
    }
}
