namespace VkResNet.Graph.Kernels;

/// <summary>Shape of one 2-D convolution: NCHW input, weight [Cout, Cin, KernelH, KernelW].</summary>
public readonly record struct Conv2dShape(
    int N, int Cin, int H, int W, int Cout,
    int KernelH, int KernelW, int StrideH, int StrideW, int PadH, int PadW)
{
    public int OutH => (H + 2 * PadH - KernelH) / StrideH + 1;
    public int OutW => (W + 2 * PadW - KernelW) / StrideW + 1;

    /// <summary>GEMM reduction length of the forward pass: Cin * KernelH * KernelW.</summary>
    public int PatchSize => Cin * KernelH * KernelW;

    public long InputElements => (long)N * Cin * H * W;
    public long OutputElements => (long)N * Cout * OutH * OutW;
    public long WeightElements => (long)Cout * Cin * KernelH * KernelW;

    /// <summary>Multiply-accumulates of the forward pass (each backward pass costs the same).</summary>
    public long Macs => OutputElements * PatchSize;
    public long Flops => 2 * Macs;

    /// <summary>A square-kernel shape, the common case.</summary>
    public static Conv2dShape Square(int n, int cin, int h, int w, int cout, int kernel, int stride, int pad) =>
        new(n, cin, h, w, cout, kernel, kernel, stride, stride, pad, pad);

    /// <summary>Throws with the offending field when the shape cannot be convolved.</summary>
    public void Validate()
    {
        if (N <= 0 || Cin <= 0 || H <= 0 || W <= 0 || Cout <= 0)
            throw new ArgumentException($"Conv2d: every dimension must be positive: {this}");
        if (KernelH <= 0 || KernelW <= 0 || StrideH <= 0 || StrideW <= 0 || PadH < 0 || PadW < 0)
            throw new ArgumentException($"Conv2d: kernel and stride must be positive and padding non-negative: {this}");
        if (OutH <= 0 || OutW <= 0 || H + 2 * PadH < KernelH || W + 2 * PadW < KernelW)
            throw new ArgumentException($"Conv2d: kernel larger than the padded input: {this}");
    }
}
