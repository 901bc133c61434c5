using VkResNet.Graph.IO;

namespace VkResNet.Graph.Tests.Support;

/// <summary>
/// A small baseline JPEG encoder for the decoder's round-trip properties: gray or YCbCr 4:4:4, 8x8 blocks by a
/// double-precision DCT, every quantiser 1 (so the round trip loses only rounding), optional restart interval.
/// Its Huffman tables are canonical fixed-length codes (4 bits for the 12 DC sizes, 8 bits for the 162 AC
/// symbols), not Annex K's, which also checks that the decoder honours the tables a file gives it.
/// </summary>
public static class BaselineJpegEncoder
{
    private static readonly int[] ZigZag = BuildZigZag();
    private static readonly double[,] Cos = BuildCos();
    private static readonly byte[] DcSymbols = Enumerable.Range(0, 12).Select(i => (byte)i).ToArray();
    private static readonly byte[] AcSymbols =
        [0x00, 0xF0, .. Enumerable.Range(0, 16).SelectMany(run => Enumerable.Range(1, 10).Select(size => (byte)(run << 4 | size)))];

    public static byte[] Encode(RasterImage image, int restartInterval = 0)
    {
        if (image.Channels is not (1 or 3)) throw new ArgumentException("the test encoder writes gray or RGB only");
        int n = image.Channels;
        var o = new List<byte> { 0xFF, 0xD8 };
        Segment(o, 0xDB, [0x00, .. Enumerable.Repeat((byte)1, 64)]); // one quantisation table, all ones
        Segment(o, 0xC0, [8, (byte)(image.Height >> 8), (byte)image.Height, (byte)(image.Width >> 8), (byte)image.Width, (byte)n,
            .. Enumerable.Range(0, n).SelectMany(c => new byte[] { (byte)(c + 1), 0x11, 0 })]);
        Segment(o, 0xC4, [0x00, .. Lengths(4, DcSymbols.Length), .. DcSymbols, 0x10, .. Lengths(8, AcSymbols.Length), .. AcSymbols]);
        if (restartInterval > 0) Segment(o, 0xDD, [(byte)(restartInterval >> 8), (byte)restartInterval]);
        Segment(o, 0xDA, [(byte)n, .. Enumerable.Range(0, n).SelectMany(c => new byte[] { (byte)(c + 1), 0x00 }), 0, 63, 0]);

        var bits = new BitWriter(o);
        var dcCode = Codes(DcSymbols, 4);
        var acCode = Codes(AcSymbols, 8);
        int mcusX = (image.Width + 7) / 8, mcusY = (image.Height + 7) / 8;
        var previousDc = new int[n];
        var block = new double[64];
        for (int mcu = 0; mcu < mcusX * mcusY; mcu++)
        {
            if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0)
            {
                bits.PadToByte();
                o.Add(0xFF); o.Add((byte)(0xD0 + (mcu / restartInterval - 1) % 8));
                Array.Clear(previousDc);
            }
            for (int c = 0; c < n; c++)
            {
                Sample(image, c, mcu % mcusX * 8, mcu / mcusX * 8, block);
                int[] q = Dct(block);
                int diff = q[0] - previousDc[c];
                previousDc[c] = q[0];
                int size = Size(diff);
                bits.Write(dcCode[size], 4);
                bits.Write(Amplitude(diff, size), size);
                int run = 0;
                for (int k = 1; k < 64; k++)
                {
                    int v = q[ZigZag[k]];
                    if (v == 0) { run++; continue; }
                    for (; run >= 16; run -= 16) bits.Write(acCode[0xF0], 8);
                    int s = Size(v);
                    bits.Write(acCode[run << 4 | s], 8);
                    bits.Write(Amplitude(v, s), s);
                    run = 0;
                }
                if (run > 0) bits.Write(acCode[0x00], 8);
            }
        }
        bits.PadToByte();
        o.Add(0xFF); o.Add(0xD9);
        return [.. o];
    }

    // JFIF's RGB -> YCbCr, level-shifted by 128; edge pixels repeat past the image.
    private static void Sample(RasterImage img, int c, int x0, int y0, double[] block)
    {
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
            {
                int sx = Math.Min(x0 + x, img.Width - 1), sy = Math.Min(y0 + y, img.Height - 1);
                double v;
                if (img.Channels == 1) v = img[sy, sx, 0];
                else
                {
                    double r = img[sy, sx, 0], g = img[sy, sx, 1], b = img[sy, sx, 2];
                    v = c switch
                    {
                        0 => 0.299 * r + 0.587 * g + 0.114 * b,
                        1 => -0.168736 * r - 0.331264 * g + 0.5 * b + 128,
                        _ => 0.5 * r - 0.418688 * g - 0.081312 * b + 128,
                    };
                }
                block[y * 8 + x] = v - 128;
            }
    }

    private static int[] Dct(double[] f)
    {
        var q = new int[64];
        for (int v = 0; v < 8; v++)
            for (int u = 0; u < 8; u++)
            {
                double s = 0;
                for (int y = 0; y < 8; y++)
                    for (int x = 0; x < 8; x++) s += f[y * 8 + x] * Cos[x, u] * Cos[y, v];
                double cu = u == 0 ? Math.Sqrt(0.5) : 1, cv = v == 0 ? Math.Sqrt(0.5) : 1;
                q[v * 8 + u] = (int)Math.Round(0.25 * cu * cv * s);
            }
        return q;
    }

    private static int Size(int v) => v == 0 ? 0 : 32 - int.LeadingZeroCount(Math.Abs(v));
    private static int Amplitude(int v, int size) => v >= 0 ? v : v + (1 << size) - 1;

    private static void Segment(List<byte> o, byte marker, byte[] body)
    {
        o.Add(0xFF); o.Add(marker);
        o.Add((byte)((body.Length + 2) >> 8)); o.Add((byte)(body.Length + 2));
        o.AddRange(body);
    }

    private static byte[] Lengths(int bits, int count) => Enumerable.Range(1, 16).Select(l => (byte)(l == bits ? count : 0)).ToArray();

    // Canonical codes of one length are consecutive integers in symbol order.
    private static int[] Codes(byte[] symbols, int length)
    {
        var code = new int[256];
        for (int i = 0; i < symbols.Length; i++) code[symbols[i]] = i;
        if (symbols.Length >= 1 << length) throw new InvalidOperationException("an all-ones code is not allowed");
        return code;
    }

    private static int[] BuildZigZag()
    {
        var zz = new List<int>();
        for (int s = 0; s < 15; s++)
        {
            int lo = Math.Max(0, s - 7), hi = Math.Min(s, 7);
            for (int i = 0; i <= hi - lo; i++)
            {
                int row = s % 2 == 0 ? hi - i : lo + i;
                zz.Add(row * 8 + (s - row));
            }
        }
        return [.. zz];
    }

    private static double[,] BuildCos()
    {
        var c = new double[8, 8];
        for (int x = 0; x < 8; x++)
            for (int u = 0; u < 8; u++) c[x, u] = Math.Cos((2 * x + 1) * u * Math.PI / 16);
        return c;
    }

    private sealed class BitWriter(List<byte> output)
    {
        private int _acc, _count;

        public void Write(int value, int bits)
        {
            for (int i = bits - 1; i >= 0; i--)
            {
                _acc = _acc << 1 | (value >> i & 1);
                if (++_count == 8) Flush();
            }
        }

        public void PadToByte()
        {
            while (_count != 0) Write(1, 1);
        }

        private void Flush()
        {
            output.Add((byte)_acc);
            if (_acc == 0xFF) output.Add(0x00); // byte stuffing
            _acc = 0; _count = 0;
        }
    }
}
