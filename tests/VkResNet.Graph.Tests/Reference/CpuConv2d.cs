using VkResNet.Graph.Kernels;

namespace VkResNet.Graph.Tests.Reference;

/// <summary>Direct 2-D convolution in double precision with plain loops: the ground truth for the conv kernels.</summary>
public static partial class CpuRef
{
    public static double[] Conv2dForward(double[] x, double[] w, double[]? b, Conv2dShape s)
    {
        int ho = s.OutH, wo = s.OutW;
        var y = new double[s.OutputElements];
        for (int n = 0; n < s.N; n++)
        for (int co = 0; co < s.Cout; co++)
        for (int oy = 0; oy < ho; oy++)
        for (int ox = 0; ox < wo; ox++)
        {
            double acc = b is null ? 0 : b[co];
            for (int ci = 0; ci < s.Cin; ci++)
            for (int ky = 0; ky < s.KernelH; ky++)
            {
                int iy = oy * s.StrideH - s.PadH + ky;
                if (iy < 0 || iy >= s.H) continue;
                for (int kx = 0; kx < s.KernelW; kx++)
                {
                    int ix = ox * s.StrideW - s.PadW + kx;
                    if (ix < 0 || ix >= s.W) continue;
                    acc += w[((co * s.Cin + ci) * s.KernelH + ky) * s.KernelW + kx]
                         * x[((n * s.Cin + ci) * s.H + iy) * s.W + ix];
                }
            }
            y[((n * s.Cout + co) * ho + oy) * wo + ox] = acc;
        }
        return y;
    }

    /// <summary>dL/dx given dL/dy: scatters each output gradient back through the window that made it.</summary>
    public static double[] Conv2dBackwardInput(double[] dy, double[] w, Conv2dShape s)
    {
        int ho = s.OutH, wo = s.OutW;
        var dx = new double[s.InputElements];
        for (int n = 0; n < s.N; n++)
        for (int co = 0; co < s.Cout; co++)
        for (int oy = 0; oy < ho; oy++)
        for (int ox = 0; ox < wo; ox++)
        {
            double g = dy[((n * s.Cout + co) * ho + oy) * wo + ox];
            for (int ci = 0; ci < s.Cin; ci++)
            for (int ky = 0; ky < s.KernelH; ky++)
            {
                int iy = oy * s.StrideH - s.PadH + ky;
                if (iy < 0 || iy >= s.H) continue;
                for (int kx = 0; kx < s.KernelW; kx++)
                {
                    int ix = ox * s.StrideW - s.PadW + kx;
                    if (ix < 0 || ix >= s.W) continue;
                    dx[((n * s.Cin + ci) * s.H + iy) * s.W + ix] += g * w[((co * s.Cin + ci) * s.KernelH + ky) * s.KernelW + kx];
                }
            }
        }
        return dx;
    }

    /// <summary>dL/dW given dL/dy and the forward input.</summary>
    public static double[] Conv2dBackwardWeight(double[] dy, double[] x, Conv2dShape s)
    {
        int ho = s.OutH, wo = s.OutW;
        var dw = new double[s.WeightElements];
        for (int n = 0; n < s.N; n++)
        for (int co = 0; co < s.Cout; co++)
        for (int oy = 0; oy < ho; oy++)
        for (int ox = 0; ox < wo; ox++)
        {
            double g = dy[((n * s.Cout + co) * ho + oy) * wo + ox];
            for (int ci = 0; ci < s.Cin; ci++)
            for (int ky = 0; ky < s.KernelH; ky++)
            {
                int iy = oy * s.StrideH - s.PadH + ky;
                if (iy < 0 || iy >= s.H) continue;
                for (int kx = 0; kx < s.KernelW; kx++)
                {
                    int ix = ox * s.StrideW - s.PadW + kx;
                    if (ix < 0 || ix >= s.W) continue;
                    dw[((co * s.Cin + ci) * s.KernelH + ky) * s.KernelW + kx] += g * x[((n * s.Cin + ci) * s.H + iy) * s.W + ix];
                }
            }
        }
        return dw;
    }

    /// <summary>dL/db: the sum of dL/dy over batch and space, per output channel.</summary>
    public static double[] Conv2dBackwardBias(double[] dy, Conv2dShape s)
    {
        int hw = s.OutH * s.OutW;
        var db = new double[s.Cout];
        for (int n = 0; n < s.N; n++)
        for (int co = 0; co < s.Cout; co++)
        for (int p = 0; p < hw; p++)
            db[co] += dy[(n * s.Cout + co) * hw + p];
        return db;
    }
}
