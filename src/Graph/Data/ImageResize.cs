namespace VkResNet.Graph.Data;

/// <summary>
/// Bilinear resize and channel conversion of 8-bit images. Sampling uses pixel centres
/// (PyTorch's align_corners=False): source x = (dst x + 0.5) * srcW / dstW - 0.5, clamped at the edges.
/// No antialiasing: large downscales alias, which is acceptable for dataset thumbnails.
/// </summary>
public static class ImageResize
{
    /// <summary>Interleaved HWC (any channel count) to planar CHW with <paramref name="dstChannels"/> channels at dstH x dstW.</summary>
    public static void ToPlanar(ReadOnlySpan<byte> src, int srcW, int srcH, int srcChannels, Span<byte> dst, int dstChannels, int dstH, int dstW)
    {
        if (dst.Length != dstChannels * dstH * dstW) throw new ArgumentException("destination size does not match dstChannels x dstH x dstW");
        if (dstChannels is not (1 or 3)) throw new ArgumentException($"only 1 or 3 output channels are supported, got {dstChannels}");
        var converted = ConvertChannels(src, srcW * srcH, srcChannels, dstChannels);
        for (int c = 0; c < dstChannels; c++)
        {
            Span<byte> plane = dst.Slice(c * dstH * dstW, dstH * dstW);
            for (int y = 0; y < dstH; y++)
            {
                double sy = Math.Clamp((y + 0.5) * srcH / dstH - 0.5, 0, srcH - 1);
                int y0 = (int)sy, y1 = Math.Min(y0 + 1, srcH - 1);
                double fy = sy - y0;
                for (int x = 0; x < dstW; x++)
                {
                    double sx = Math.Clamp((x + 0.5) * srcW / dstW - 0.5, 0, srcW - 1);
                    int x0 = (int)sx, x1 = Math.Min(x0 + 1, srcW - 1);
                    double fx = sx - x0;
                    double top = converted[(y0 * srcW + x0) * dstChannels + c] * (1 - fx) + converted[(y0 * srcW + x1) * dstChannels + c] * fx;
                    double bottom = converted[(y1 * srcW + x0) * dstChannels + c] * (1 - fx) + converted[(y1 * srcW + x1) * dstChannels + c] * fx;
                    plane[y * dstW + x] = (byte)Math.Clamp(Math.Round(top * (1 - fy) + bottom * fy), 0, 255);
                }
            }
        }
    }

    /// <summary>Gray(+alpha)/RGB(A) to 1 or 3 interleaved channels; alpha is dropped, RGB to gray uses BT.601 luma.</summary>
    private static byte[] ConvertChannels(ReadOnlySpan<byte> src, int pixels, int srcChannels, int dstChannels)
    {
        var result = new byte[pixels * dstChannels];
        for (int i = 0; i < pixels; i++)
        {
            ReadOnlySpan<byte> p = src.Slice(i * srcChannels, srcChannels);
            if (srcChannels <= 2)
            {
                for (int c = 0; c < dstChannels; c++) result[i * dstChannels + c] = p[0];
            }
            else if (dstChannels == 3)
            {
                result[i * 3] = p[0];
                result[i * 3 + 1] = p[1];
                result[i * 3 + 2] = p[2];
            }
            else
            {
                result[i] = (byte)Math.Clamp(Math.Round(0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]), 0, 255);
            }
        }
        return result;
    }
}
