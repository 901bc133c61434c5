using VkResNet.Graph.Kernels;

namespace VkResNet.Graph.Tests.Reference;

/// <summary>Double-precision max pooling (first maximum wins, as PyTorch) and global average pooling.</summary>
public static class CpuPool
{
    public static (double[] Y, int[] Indices) MaxForward(double[] x, MaxPoolShape s)
    {
        var o = s.Output;
        var y = new double[o.Count];
        var idx = new int[o.Count];
        int planes = s.Input.N * s.Input.C;
        for (int p = 0; p < planes; p++)
            for (int oh = 0; oh < s.Ho; oh++)
                for (int ow = 0; ow < s.Wo; ow++)
                {
                    double best = double.NegativeInfinity;
                    int bestIdx = -1;
                    for (int kh = 0; kh < s.Kernel; kh++)
                        for (int kw = 0; kw < s.Kernel; kw++)
                        {
                            int ih = oh * s.Stride - s.Pad + kh, iw = ow * s.Stride - s.Pad + kw;
                            if (ih < 0 || ih >= s.Input.H || iw < 0 || iw >= s.Input.W)
                                continue;
                            double v = x[p * s.Input.PlaneSize + ih * s.Input.W + iw];
                            if (bestIdx < 0 || v > best)
                            {
                                best = v;
                                bestIdx = ih * s.Input.W + iw;
                            }
                        }
                    int k = (p * s.Ho + oh) * s.Wo + ow;
                    y[k] = best;
                    idx[k] = bestIdx;
                }
        return (y, idx);
    }

    /// <summary>Scatter form (the obvious one); the GPU gathers, and the test checks they agree.</summary>
    public static double[] MaxBackward(double[] dy, int[] indices, MaxPoolShape s)
    {
        var dx = new double[s.Input.Count];
        int outPlane = s.Ho * s.Wo;
        for (int k = 0; k < dy.Length; k++)
            dx[k / outPlane * s.Input.PlaneSize + indices[k]] += dy[k];
        return dx;
    }

    public static double[] GlobalAvgForward(double[] x, NchwShape s)
    {
        var y = new double[s.N * s.C];
        for (int p = 0; p < y.Length; p++)
        {
            double sum = 0;
            for (int i = 0; i < s.PlaneSize; i++)
                sum += x[p * s.PlaneSize + i];
            y[p] = sum / s.PlaneSize;
        }
        return y;
    }

    public static double[] GlobalAvgBackward(double[] dy, NchwShape s)
    {
        var dx = new double[s.Count];
        for (int i = 0; i < dx.Length; i++)
            dx[i] = dy[i / s.PlaneSize] / s.PlaneSize;
        return dx;
    }
}
