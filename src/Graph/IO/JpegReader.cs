using System.Buffers.Binary;

namespace VkResNet.Graph.IO;

/// <summary>
/// Decodes baseline (sequential, Huffman-coded, 8-bit) JPEGs with 1 (gray) or 3 (YCbCr, or RGB when an Adobe
/// marker says so) components, any sampling factors up to 4, restart intervals and non-interleaved scans.
/// Blocks are dequantised and inverse-transformed with a separable float IDCT; chroma is upsampled by
/// replication (libjpeg's non-fancy mode). Progressive, lossless, arithmetic-coded, 12-bit and CMYK
/// files throw InvalidDataException saying which.
/// </summary>
public static class JpegReader
{
    private static readonly byte[] ZigZag =
    [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ];

    // IdctCos[x * 8 + u] = C(u) / 2 * cos((2x + 1) u pi / 16), C(0) = 1/sqrt(2), C(u > 0) = 1.
    private static readonly float[] IdctCos = BuildCos();

    private static float[] BuildCos()
    {
        var t = new float[64];
        for (int x = 0; x < 8; x++)
            for (int u = 0; u < 8; u++)
                t[x * 8 + u] = (float)((u == 0 ? Math.Sqrt(0.5) : 1.0) / 2 * Math.Cos((2 * x + 1) * u * Math.PI / 16));
        return t;
    }

    private static void Need(ReadOnlySpan<byte> seg, int bytes, string what)
    {
        if (seg.Length < bytes) throw new InvalidDataException($"corrupt JPEG: {what} segment is {seg.Length} bytes, needs {bytes}");
    }

    public static bool HasSignature(ReadOnlySpan<byte> data) => data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;

    public static RasterImage Read(string path) => Decode(File.ReadAllBytes(path));

    private sealed class Component
    {
        public int Id, H, V, Tq, Td, Ta, Pred;
        public int BlocksX, BlocksY; // blocks in the padded plane
        public byte[] Plane = [];
        public int Stride => BlocksX * 8;
    }

    private sealed class Huffman
    {
        public readonly int[] MinCode = new int[17], MaxCode = new int[18], ValPtr = new int[17];
        public byte[] Values = [];
    }

    public static RasterImage Decode(byte[] data)
    {
        if (!HasSignature(data)) throw new InvalidDataException("not a JPEG (no SOI marker)");
        var quant = new ushort[4][];
        var dc = new Huffman?[4];
        var ac = new Huffman?[4];
        Component[]? comps = null;
        int width = 0, height = 0, restartInterval = 0, hMax = 1, vMax = 1;
        int adobeTransform = -1;
        int pos = 2;
        while (true)
        {
            if (pos >= data.Length) throw new InvalidDataException("truncated JPEG: no EOI marker");
            if (data[pos] != 0xFF) throw new InvalidDataException($"JPEG marker expected at offset {pos}, found 0x{data[pos]:X2}");
            while (pos < data.Length && data[pos] == 0xFF) pos++;
            if (pos >= data.Length) throw new InvalidDataException("truncated JPEG: marker at end of file");
            int marker = data[pos++];
            if (marker == 0xD9) break; // EOI
            if (marker is >= 0xD0 and <= 0xD7 or 0x01) continue; // stray RST / TEM: no payload
            if (pos + 2 > data.Length) throw new InvalidDataException("truncated JPEG: segment length past end of file");
            int length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(pos));
            if (length < 2 || pos + length > data.Length) throw new InvalidDataException($"truncated JPEG: segment 0x{marker:X2} of {length} bytes runs past end of file");
            ReadOnlySpan<byte> seg = data.AsSpan(pos + 2, length - 2);
            int next = pos + length;
            switch (marker)
            {
                case 0xC0 or 0xC1:
                    Need(seg, 6, "frame header");
                    if (seg[0] != 8) throw new InvalidDataException($"{seg[0]}-bit JPEG is not supported (only 8-bit)");
                    height = BinaryPrimitives.ReadUInt16BigEndian(seg[1..]);
                    width = BinaryPrimitives.ReadUInt16BigEndian(seg[3..]);
                    int n = seg[5];
                    if (height == 0) throw new InvalidDataException("JPEG with height defined by a DNL marker is not supported");
                    if (width == 0) throw new InvalidDataException("JPEG width is 0");
                    if ((long)width * height > RasterImage.MaxPixels) throw new InvalidDataException($"JPEG size {width}x{height} is too large");
                    if (n is not (1 or 3)) throw new InvalidDataException($"JPEG with {n} components is not supported (only gray or YCbCr/RGB; CMYK is not)");
                    if (seg.Length < 6 + 3 * n) throw new InvalidDataException("truncated JPEG frame header");
                    comps = new Component[n];
                    for (int i = 0; i < n; i++)
                    {
                        var c = new Component { Id = seg[6 + 3 * i], H = seg[7 + 3 * i] >> 4, V = seg[7 + 3 * i] & 15, Tq = seg[8 + 3 * i] };
                        if (c.H is < 1 or > 4 || c.V is < 1 or > 4 || c.Tq > 3) throw new InvalidDataException($"JPEG component {c.Id} has invalid sampling {c.H}x{c.V} or table {c.Tq}");
                        comps[i] = c;
                    }
                    hMax = comps.Max(c => c.H);
                    vMax = comps.Max(c => c.V);
                    int mcusX = (width + 8 * hMax - 1) / (8 * hMax), mcusY = (height + 8 * vMax - 1) / (8 * vMax);
                    foreach (Component c in comps)
                    {
                        c.BlocksX = mcusX * c.H;
                        c.BlocksY = mcusY * c.V;
                        c.Plane = new byte[c.BlocksX * 8 * c.BlocksY * 8];
                    }
                    break;
                case 0xC2 or 0xC6 or 0xCA or 0xCE:
                    throw new InvalidDataException("progressive JPEG is not supported (only baseline sequential)");
                case 0xC3 or 0xC7 or 0xCB or 0xCF:
                    throw new InvalidDataException("lossless JPEG is not supported (only baseline sequential)");
                case 0xC5 or 0xC9 or 0xCD:
                    throw new InvalidDataException("hierarchical or arithmetic-coded JPEG is not supported (only baseline sequential)");
                case 0xC4:
                    ReadHuffmanTables(seg, dc, ac);
                    break;
                case 0xCC:
                    throw new InvalidDataException("arithmetic-coded JPEG is not supported (only Huffman)");
                case 0xDB:
                    ReadQuantTables(seg, quant);
                    break;
                case 0xDD:
                    Need(seg, 2, "restart interval");
                    restartInterval = BinaryPrimitives.ReadUInt16BigEndian(seg);
                    break;
                case 0xEE:
                    if (seg.Length >= 12 && seg[..5].SequenceEqual("Adobe"u8)) adobeTransform = seg[11];
                    break;
                case 0xDA:
                    if (comps is null) throw new InvalidDataException("JPEG scan before its frame header (SOF)");
                    Need(seg, 1, "scan header");
                    next = DecodeScan(data, pos + 2, seg, comps, quant, dc, ac, restartInterval, width, height, hMax, vMax);
                    break;
                default:
                    break; // APPn, COM and other segments carry nothing we need
            }
            pos = next;
        }
        if (comps is null) throw new InvalidDataException("JPEG has no frame header (SOF)");
        return ToRaster(comps, width, height, hMax, vMax, convertYCbCr: comps.Length == 3 && adobeTransform != 0);
    }

    private static void ReadQuantTables(ReadOnlySpan<byte> seg, ushort[][] quant)
    {
        int p = 0;
        while (p < seg.Length)
        {
            int pq = seg[p] >> 4, tq = seg[p] & 15;
            if (tq > 3) throw new InvalidDataException($"JPEG quantisation table id {tq} is invalid");
            int size = pq == 0 ? 64 : 128;
            if (p + 1 + size > seg.Length) throw new InvalidDataException("truncated JPEG quantisation table");
            var q = new ushort[64];
            for (int k = 0; k < 64; k++) q[k] = pq == 0 ? seg[p + 1 + k] : BinaryPrimitives.ReadUInt16BigEndian(seg[(p + 1 + 2 * k)..]);
            quant[tq] = q;
            p += 1 + size;
        }
    }

    private static void ReadHuffmanTables(ReadOnlySpan<byte> seg, Huffman?[] dc, Huffman?[] ac)
    {
        int p = 0;
        while (p < seg.Length)
        {
            if (p + 17 > seg.Length) throw new InvalidDataException("truncated JPEG Huffman table");
            int tc = seg[p] >> 4, th = seg[p] & 15;
            if (tc > 1 || th > 3) throw new InvalidDataException($"JPEG Huffman table class {tc} id {th} is invalid");
            ReadOnlySpan<byte> counts = seg.Slice(p + 1, 16);
            int total = 0;
            foreach (byte b in counts) total += b;
            if (p + 17 + total > seg.Length || total > 256) throw new InvalidDataException("truncated JPEG Huffman table");
            var h = new Huffman { Values = seg.Slice(p + 17, total).ToArray() };
            // Canonical codes (ITU T.81 F.2.2.3): per length the smallest and largest code and the first value index.
            int code = 0, k = 0;
            for (int l = 1; l <= 16; l++)
            {
                h.ValPtr[l] = k;
                h.MinCode[l] = code;
                code += counts[l - 1];
                k += counts[l - 1];
                h.MaxCode[l] = counts[l - 1] == 0 ? -1 : code - 1;
                code <<= 1;
            }
            h.MaxCode[17] = int.MaxValue;
            (tc == 0 ? dc : ac)[th] = h;
            p += 17 + total;
        }
    }

    /// <summary>Reads entropy-coded bits, un-stuffing FF 00 and stopping (feeding zeros) at a marker.</summary>
    private sealed class BitReader(byte[] data, int pos)
    {
        private uint _buffer;
        private int _count;
        public int Position = pos;
        public bool HitMarker;

        public int Bit()
        {
            if (_count == 0)
            {
                int b = 0;
                if (!HitMarker && Position < data.Length)
                {
                    b = data[Position];
                    if (b == 0xFF)
                    {
                        int following = Position + 1 < data.Length ? data[Position + 1] : 0xD9;
                        if (following == 0x00) Position += 2;
                        else { HitMarker = true; b = 0; }
                    }
                    else Position++;
                }
                else if (!HitMarker) throw new InvalidDataException("truncated JPEG: entropy-coded data runs past end of file");
                _buffer = (uint)b;
                _count = 8;
            }
            _count--;
            return (int)((_buffer >> _count) & 1);
        }

        public int Receive(int n)
        {
            int v = 0;
            for (int i = 0; i < n; i++) v = (v << 1) | Bit();
            return v;
        }

        /// <summary>Drops the rest of the byte and expects marker RSTn next.</summary>
        public void Restart(int expected)
        {
            _count = 0;
            HitMarker = false;
            while (Position + 1 < data.Length && data[Position] == 0xFF && data[Position + 1] == 0xFF) Position++;
            if (Position + 1 >= data.Length || data[Position] != 0xFF || data[Position + 1] != 0xD0 + expected)
                throw new InvalidDataException($"JPEG restart marker RST{expected} missing at offset {Position}");
            Position += 2;
        }
    }

    private static int DecodeHuffman(BitReader bits, Huffman h)
    {
        int code = bits.Bit();
        int l = 1;
        while (code > h.MaxCode[l])
        {
            code = (code << 1) | bits.Bit();
            if (++l > 16) throw new InvalidDataException("corrupt JPEG: invalid Huffman code");
        }
        int index = h.ValPtr[l] + code - h.MinCode[l];
        if ((uint)index >= (uint)h.Values.Length) throw new InvalidDataException("corrupt JPEG: invalid Huffman code");
        return h.Values[index];
    }

    private static int Extend(int v, int t) => t == 0 ? 0 : v < 1 << (t - 1) ? v - (1 << t) + 1 : v;

    private static int DecodeScan(byte[] data, int segStart, ReadOnlySpan<byte> seg, Component[] comps, ushort[][] quant,
                                  Huffman?[] dcTables, Huffman?[] acTables, int restartInterval, int width, int height, int hMax, int vMax)
    {
        int ns = seg[0];
        if (ns < 1 || ns > comps.Length || seg.Length < 1 + 2 * ns + 3) throw new InvalidDataException("corrupt JPEG scan header");
        var scan = new Component[ns];
        for (int i = 0; i < ns; i++)
        {
            int id = seg[1 + 2 * i];
            Component c = comps.FirstOrDefault(x => x.Id == id) ?? throw new InvalidDataException($"JPEG scan names unknown component {id}");
            c.Td = seg[2 + 2 * i] >> 4;
            c.Ta = seg[2 + 2 * i] & 15;
            if (c.Td > 3 || c.Ta > 3 || dcTables[c.Td] is null || acTables[c.Ta] is null) throw new InvalidDataException($"JPEG component {id} uses an undefined Huffman table");
            if (quant[c.Tq] is null) throw new InvalidDataException($"JPEG component {id} uses undefined quantisation table {c.Tq}");
            c.Pred = 0;
            scan[i] = c;
        }
        var bits = new BitReader(data, segStart + seg.Length);
        Span<int> coef = stackalloc int[64];
        Span<float> tmp = stackalloc float[64];

        // Interleaved scans walk MCUs of H x V blocks per component; a single-component scan walks that component's own blocks.
        int mcusX, mcusY;
        if (ns == 1)
        {
            Component c = scan[0];
            mcusX = ((width * c.H + hMax - 1) / hMax + 7) / 8;
            mcusY = ((height * c.V + vMax - 1) / vMax + 7) / 8;
        }
        else
        {
            mcusX = (width + 8 * hMax - 1) / (8 * hMax);
            mcusY = (height + 8 * vMax - 1) / (8 * vMax);
        }
        int mcu = 0, restarts = 0;
        for (int my = 0; my < mcusY; my++)
            for (int mx = 0; mx < mcusX; mx++, mcu++)
            {
                if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0)
                {
                    bits.Restart(restarts++ & 7);
                    foreach (Component c in scan) c.Pred = 0;
                }
                foreach (Component c in scan)
                {
                    int bh = ns == 1 ? 1 : c.H, bv = ns == 1 ? 1 : c.V;
                    for (int by = 0; by < bv; by++)
                        for (int bx = 0; bx < bh; bx++)
                        {
                            DecodeBlock(bits, c, dcTables[c.Td]!, acTables[c.Ta]!, quant[c.Tq], coef);
                            int blockX = mx * bh + bx, blockY = my * bv + by;
                            InverseDct(coef, tmp, c.Plane.AsSpan(blockY * 8 * c.Stride + blockX * 8), c.Stride);
                        }
                }
            }
        // Skip to the next marker after the scan's data.
        int p = bits.Position;
        while (p + 1 < data.Length && !(data[p] == 0xFF && data[p + 1] != 0x00 && data[p + 1] is not (>= 0xD0 and <= 0xD7))) p++;
        if (p + 1 >= data.Length) throw new InvalidDataException("truncated JPEG: no marker after the scan data");
        return p;
    }

    private static void DecodeBlock(BitReader bits, Component c, Huffman dc, Huffman ac, ushort[] q, Span<int> coef)
    {
        coef.Clear();
        int t = DecodeHuffman(bits, dc);
        if (t > 11) throw new InvalidDataException("corrupt JPEG: DC magnitude category above 11");
        c.Pred += Extend(bits.Receive(t), t);
        coef[0] = c.Pred * q[0];
        for (int k = 1; k < 64;)
        {
            int rs = DecodeHuffman(bits, ac);
            int r = rs >> 4, s = rs & 15;
            if (s == 0)
            {
                if (r != 15) break; // end of block
                k += 16;
                continue;
            }
            k += r;
            if (k > 63) throw new InvalidDataException("corrupt JPEG: AC coefficients run past the block");
            coef[ZigZag[k]] = Extend(bits.Receive(s), s) * q[k];
            k++;
        }
    }

    /// <summary>out[y, x] = clamp(128 + sum_u sum_v c[x,u] c[y,v] F[v, u]), rows then columns.</summary>
    private static void InverseDct(ReadOnlySpan<int> coef, Span<float> tmp, Span<byte> dst, int stride)
    {
        for (int v = 0; v < 8; v++)
            for (int x = 0; x < 8; x++)
            {
                float s = 0;
                for (int u = 0; u < 8; u++) s += IdctCos[x * 8 + u] * coef[v * 8 + u];
                tmp[v * 8 + x] = s;
            }
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
            {
                float s = 0;
                for (int v = 0; v < 8; v++) s += IdctCos[y * 8 + v] * tmp[v * 8 + x];
                dst[y * stride + x] = (byte)Math.Clamp((int)MathF.Round(s + 128), 0, 255);
            }
    }

    private static RasterImage ToRaster(Component[] comps, int width, int height, int hMax, int vMax, bool convertYCbCr)
    {
        int n = comps.Length;
        var px = new byte[width * height * n];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int o = (y * width + x) * n;
                for (int k = 0; k < n; k++)
                {
                    Component c = comps[k];
                    px[o + k] = c.Plane[y * c.V / vMax * c.Stride + x * c.H / hMax];
                }
                if (!convertYCbCr) continue;
                float yy = px[o], cb = px[o + 1] - 128f, cr = px[o + 2] - 128f;
                px[o] = Clamp(yy + 1.402f * cr);
                px[o + 1] = Clamp(yy - 0.344136f * cb - 0.714136f * cr);
                px[o + 2] = Clamp(yy + 1.772f * cb);
            }
        return new RasterImage(width, height, n, px);
    }

    private static byte Clamp(float v) => (byte)Math.Clamp((int)MathF.Round(v), 0, 255);
}
