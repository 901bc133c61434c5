using System.Runtime.InteropServices;
using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>Fully connected layer y [N, Out] = x [N, In] W^T + b, W [Out, In] (PyTorch layout).</summary>
public readonly record struct LinearShape(int N, int In, int Out)
{
    public long Macs => (long)N * In * Out;
    public long Flops => 2 * Macs;
}

/// <summary>Mirror of the push-constant block in src/Shaders/include/gemm_params.glsl (40 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct GemmPush
{
    public int M, N, K;
    public int StrideAM, StrideAK, StrideBK, StrideBN, StrideCM, StrideCN;
    public uint Flags;
}

/// <summary>
/// Launchers of the linear layer on the strided GEMM kernels (gemm_cpu / gemm_gpu): every direction is one
/// GEMM whose transposes are strides. Forward and backward-input take the orientation (batch as rows, or features as
/// rows) whose padding to the kernel's tiles wastes least (<see cref="ComputesTransposed"/>).
/// </summary>
public static class LinearKernels
{
    private const uint BiasColumn = 1, BiasRow = 2, Relu = 4, Accumulate = 8;

    public static void Forward(CommandRecorder r, LinearShape s, BufferSlice x, BufferSlice w, BufferSlice? bias, BufferSlice y,
                               bool relu = false, bool accumulate = false)
    {
        Validate(s);
        Require(x, (long)s.N * s.In, "x", s);
        Require(w, (long)s.Out * s.In, "w", s);
        Require(y, (long)s.N * s.Out, "y", s);
        if (bias is { } b) Require(b, s.Out, "bias", s);
        uint flags = (relu ? Relu : 0) | (accumulate ? Accumulate : 0);
        bool transposed = ComputesTransposed(r.Variant, s.N, s.Out);
        GemmPush p = !transposed
            // y(n, o) = sum_k x(n, k) w(o, k)
            ? new() { M = s.N, N = s.Out, K = s.In, StrideAM = s.In, StrideAK = 1, StrideBK = 1, StrideBN = s.In,
                      StrideCM = s.Out, StrideCN = 1, Flags = flags | (bias is null ? 0 : BiasColumn) }
            // y^T(o, n) = sum_k w(o, k) x(n, k)
            : new() { M = s.Out, N = s.N, K = s.In, StrideAM = s.In, StrideAK = 1, StrideBK = 1, StrideBN = s.In,
                      StrideCM = 1, StrideCN = s.Out, Flags = flags | (bias is null ? 0 : BiasRow) };
        var (a, bm) = !transposed ? (x, w) : (w, x);
        Gemm(r, p, a, bm, bias ?? x, y, accumulate);
    }

    /// <summary>dx [N, In] = dy [N, Out] W [Out, In].</summary>
    public static void BackwardInput(CommandRecorder r, LinearShape s, BufferSlice dy, BufferSlice w, BufferSlice dx,
                                     bool accumulate = false)
    {
        Validate(s);
        Require(dy, (long)s.N * s.Out, "dy", s);
        Require(w, (long)s.Out * s.In, "w", s);
        Require(dx, (long)s.N * s.In, "dx", s);
        uint flags = accumulate ? Accumulate : 0;
        if (!ComputesTransposed(r.Variant, s.N, s.In))
            // dx(n, i) = sum_o dy(n, o) w(o, i)
            Gemm(r, new() { M = s.N, N = s.In, K = s.Out, StrideAM = s.Out, StrideAK = 1, StrideBK = s.In, StrideBN = 1,
                            StrideCM = s.In, StrideCN = 1, Flags = flags }, dy, w, dy, dx, accumulate);
        else
            // dx^T(i, n) = sum_o w(o, i) dy(n, o)
            Gemm(r, new() { M = s.In, N = s.N, K = s.Out, StrideAM = 1, StrideAK = s.In, StrideBK = 1, StrideBN = s.Out,
                            StrideCM = 1, StrideCN = s.In, Flags = flags }, w, dy, dy, dx, accumulate);
    }

    /// <summary>dW [Out, In] = dy^T [Out, N] x [N, In]; the sum over the batch runs in a fixed order.</summary>
    public static void BackwardWeight(CommandRecorder r, LinearShape s, BufferSlice dy, BufferSlice x, BufferSlice dw,
                                      bool accumulate = false)
    {
        Validate(s);
        Require(dy, (long)s.N * s.Out, "dy", s);
        Require(x, (long)s.N * s.In, "x", s);
        Require(dw, (long)s.Out * s.In, "dw", s);
        Gemm(r, new() { M = s.Out, N = s.In, K = s.N, StrideAM = 1, StrideAK = s.Out, StrideBK = s.In, StrideBN = 1,
                        StrideCM = s.In, StrideCN = 1, Flags = accumulate ? Accumulate : 0 }, dy, x, dy, dw, accumulate);
    }

    /// <summary>db [Out] = the column sums of dy [N, Out].</summary>
    public static void BackwardBias(CommandRecorder r, LinearShape s, BufferSlice dy, BufferSlice db, bool accumulate = false)
    {
        Validate(s);
        Require(dy, (long)s.N * s.Out, "dy", s);
        Require(db, s.Out, "db", s);
        BiasGradKernel.Record(r, s.N, s.Out, 1, dy, db, accumulate);
    }

    /// <summary>
    /// Whether a product of <paramref name="batch"/> rows by <paramref name="features"/> columns is computed transposed (the
    /// features as rows): when that pads less to the kernel's tiles, rows in blocks of <see cref="TileRows"/> and columns in
    /// blocks of 64. At batch 1 the _cpu tile (8 x 64) computes the 1000-class head of ResNet-18/50 as 8 x 1024 instead of
    /// 1000 x 64, an eighth of the work; the _gpu tile is square, so it never transposes.
    /// </summary>
    public static bool ComputesTransposed(KernelVariant variant, int batch, int features)
    {
        long Padded(int rows, int cols) => (long)Conv2dKernels.Groups(rows, TileRows(variant)) * TileRows(variant) * Conv2dKernels.Groups(cols, 64) * 64;
        return Padded(features, batch) < Padded(batch, features);
    }

    static int TileRows(KernelVariant variant) => variant == KernelVariant.Cpu ? 8 : 64;

    private static void Gemm(CommandRecorder r, in GemmPush p, BufferSlice a, BufferSlice b, BufferSlice bias, BufferSlice c,
                             bool accumulate)
    {
        int rows = TileRows(r.Variant);
        r.Dispatch(Conv2dKernels.Name("gemm", r), [],
                   [Access.Read(a), Access.Read(b), Access.Read(bias), Conv2dKernels.Output(c, accumulate)],
                   p, Conv2dKernels.Groups(p.N, 64), Conv2dKernels.Groups(p.M, rows), 1);
    }

    private static void Validate(LinearShape s)
    {
        if (s.N <= 0 || s.In <= 0 || s.Out <= 0) throw new ArgumentException($"Linear: every dimension must be positive: {s}");
    }

    private static void Require(BufferSlice slice, long elements, string name, LinearShape s)
    {
        if (slice.Size < elements * sizeof(float))
            throw new ArgumentException($"Linear {s}: {name} holds {slice.Size} bytes, needs {elements * sizeof(float)}");
    }
}
