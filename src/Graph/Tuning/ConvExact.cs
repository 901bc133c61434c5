using VkResNet.Graph.Kernels;

namespace VkResNet.Graph.Tuning;

/// <summary>
/// One output element of a conv key in double precision, from host copies of its operands (laid out as
/// <see cref="ConvOperands"/> says): the arbiter the tuner asks when its reference candidate and another disagree, and the
/// check of the reference itself. An element costs its <see cref="ConvKey.ReductionLength"/> multiply-adds, so a few dozen
/// per key are cheap next to one GPU run. The forward applies bias, residual and ReLU as the flags say (the kernels'
/// epilogue order); every direction adds the prior output with Accumulate; the backward directions take no other flag.
/// </summary>
public static class ConvExact
{
    public static double Element(ConvKey key, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> bias,
                                 ReadOnlySpan<float> residual, ReadOnlySpan<float> prior, long index)
    {
        var s = key.Shape;
        var f = key.Flags;
        double v;
        switch (key.Direction)
        {
            case ConvDirection.Forward:
                v = Forward(s, a, b, index);
                if ((f & Conv2dFlags.Bias) != 0) v += bias[(int)(index / ((long)s.OutH * s.OutW) % s.Cout)];
                if ((f & Conv2dFlags.Residual) != 0) v += residual[(int)index];
                if ((f & Conv2dFlags.Relu) != 0) v = Math.Max(v, 0);
                break;
            case ConvDirection.BackwardInput: v = BackwardInput(s, a, b, index); break;
            default: v = BackwardWeight(s, a, b, index); break;
        }
        return (f & Conv2dFlags.Accumulate) != 0 ? v + prior[(int)index] : v;
    }

    // y[n,co,oy,ox] = sum_{ci,ky,kx} x[n,ci,oy*SH-PH+ky,ox*SW-PW+kx] * w[co,ci,ky,kx]
    static double Forward(Conv2dShape s, ReadOnlySpan<float> x, ReadOnlySpan<float> w, long index)
    {
        int ox = (int)(index % s.OutW), oy = (int)(index / s.OutW % s.OutH), co = (int)(index / ((long)s.OutW * s.OutH) % s.Cout);
        long n = index / ((long)s.OutW * s.OutH * s.Cout);
        double sum = 0;
        for (int ci = 0; ci < s.Cin; ci++)
            for (int ky = 0; ky < s.KernelH; ky++)
            {
                int iy = oy * s.StrideH - s.PadH + ky;
                if ((uint)iy >= (uint)s.H) continue;
                for (int kx = 0; kx < s.KernelW; kx++)
                {
                    int ix = ox * s.StrideW - s.PadW + kx;
                    if ((uint)ix >= (uint)s.W) continue;
                    sum += (double)x[(int)(((n * s.Cin + ci) * s.H + iy) * s.W + ix)] * w[((co * s.Cin + ci) * s.KernelH + ky) * s.KernelW + kx];
                }
            }
        return sum;
    }

    // dx[n,ci,iy,ix] = sum over (co,ky,kx) with oy = (iy+PH-ky)/SH and ox = (ix+PW-kx)/SW whole and in range of dy[n,co,oy,ox] * w[co,ci,ky,kx]
    static double BackwardInput(Conv2dShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, long index)
    {
        int ix = (int)(index % s.W), iy = (int)(index / s.W % s.H), ci = (int)(index / ((long)s.W * s.H) % s.Cin);
        long n = index / ((long)s.W * s.H * s.Cin);
        double sum = 0;
        for (int co = 0; co < s.Cout; co++)
            for (int ky = 0; ky < s.KernelH; ky++)
            {
                int ty = iy + s.PadH - ky;
                if (ty < 0 || ty % s.StrideH != 0 || ty / s.StrideH >= s.OutH) continue;
                for (int kx = 0; kx < s.KernelW; kx++)
                {
                    int tx = ix + s.PadW - kx;
                    if (tx < 0 || tx % s.StrideW != 0 || tx / s.StrideW >= s.OutW) continue;
                    sum += (double)dy[(int)(((n * s.Cout + co) * s.OutH + ty / s.StrideH) * s.OutW + tx / s.StrideW)]
                           * w[((co * s.Cin + ci) * s.KernelH + ky) * s.KernelW + kx];
                }
            }
        return sum;
    }

    // dw[co,ci,ky,kx] = sum_{n,oy,ox} dy[n,co,oy,ox] * x[n,ci,oy*SH-PH+ky,ox*SW-PW+kx]
    static double BackwardWeight(Conv2dShape s, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, long index)
    {
        int kx = (int)(index % s.KernelW), ky = (int)(index / s.KernelW % s.KernelH), ci = (int)(index / ((long)s.KernelW * s.KernelH) % s.Cin);
        int co = (int)(index / ((long)s.KernelW * s.KernelH * s.Cin));
        double sum = 0;
        for (long n = 0; n < s.N; n++)
            for (int oy = 0; oy < s.OutH; oy++)
            {
                int iy = oy * s.StrideH - s.PadH + ky;
                if ((uint)iy >= (uint)s.H) continue;
                long dyRow = ((n * s.Cout + co) * s.OutH + oy) * s.OutW, xRow = ((n * s.Cin + ci) * s.H + iy) * s.W;
                for (int ox = 0; ox < s.OutW; ox++)
                {
                    int ix = ox * s.StrideW - s.PadW + kx;
                    if ((uint)ix < (uint)s.W) sum += (double)dy[(int)(dyRow + ox)] * x[(int)(xRow + ix)];
                }
            }
        return sum;
    }
}
