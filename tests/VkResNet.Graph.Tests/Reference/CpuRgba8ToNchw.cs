namespace VkResNet.Graph.Tests.Reference;

public static partial class CpuRef
{
    /// <summary>CPU reference of rgba8_to_nchw.comp: y[n, c, h, w] = (byte c of pixel (n, h, w) / 255 - mean[c]) / std[c].</summary>
    /// <param name="rgba">batch * height * width pixels, 4 bytes each in R, G, B, A order</param>
    public static double[] Rgba8ToNchw(byte[] rgba, int batch, int height, int width, double[] mean, double[] std)
    {
        int channels = mean.Length, plane = height * width;
        var y = new double[batch * channels * plane];
        for (int n = 0; n < batch; n++)
            for (int c = 0; c < channels; c++)
                for (int i = 0; i < plane; i++)
                    y[(n * channels + c) * plane + i] = (rgba[(n * plane + i) * 4 + c] / 255.0 - mean[c]) / std[c];
        return y;
    }
}
