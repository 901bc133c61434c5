namespace VkResNet.Graph.Data;

/// <summary>The image transform kernels the batch loader and the 10-crop generator share.</summary>
internal static class ImageTransform
{
    /// <summary>
    /// dst[c, y, x] = lut[c][src[c, y + dy, x + dx]] over an outH x outW window whose top-left is (dy, dx)
    /// in source coordinates (may be negative or past the edge: those pixels read as 0), mirrored in x when flip.
    /// </summary>
    public static void CropNormalize(ReadOnlySpan<byte> src, int channels, int h, int w, int dy, int dx, int outH, int outW, bool flip,
                                     ReadOnlySpan<float> lut, Span<float> dst)
    {
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<byte> plane = src.Slice(c * h * w, h * w);
            ReadOnlySpan<float> table = lut.Slice(c * 256, 256);
            Span<float> outPlane = dst.Slice(c * outH * outW, outH * outW);
            float zero = table[0];
            for (int y = 0; y < outH; y++)
            {
                int sy = y + dy;
                Span<float> row = outPlane.Slice(y * outW, outW);
                if ((uint)sy >= (uint)h)
                {
                    row.Fill(zero);
                    continue;
                }
                ReadOnlySpan<byte> srcRow = plane.Slice(sy * w, w);
                for (int x = 0; x < outW; x++)
                {
                    int sx = (flip ? outW - 1 - x : x) + dx;
                    row[x] = (uint)sx < (uint)w ? table[srcRow[sx]] : zero;
                }
            }
        }
    }
}
