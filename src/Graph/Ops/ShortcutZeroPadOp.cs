using VkResNet.Graph.Kernels;
using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Ops;

/// <summary>
/// Option-A shortcut (He et al., CIFAR): subsample every stride-th pixel and pad zero channels,
/// PadFront = (Cout - Cin) / 2 before and the rest after, as the common x[:, :, ::2, ::2] + F.pad form.
/// Backward: dx picks the matching dy (zero at skipped pixels); padded channels' gradient is dropped.
/// </summary>
public sealed class ShortcutZeroPadOp : Op
{
    public ShortcutZeroPadOp(string name, Tensor x, Tensor y, int stride) : base(name)
    {
        X = Read(x);
        Y = Write(y);
        Stride = stride;
        Require(y.Shape == OutputShape(x.Shape, y.Shape.C, stride), "output shape");
        Require(y.Shape.C >= x.Shape.C, "zero-pad shortcut cannot drop channels");
    }

    public override string Type => "ShortcutZeroPad";
    public Tensor X { get; }
    public Tensor Y { get; }
    public int Stride { get; }
    public int PadFront => (Y.Shape.C - X.Shape.C) / 2;

    public static TensorShape OutputShape(TensorShape x, int cout, int stride) =>
        TensorShape.Nchw(x.N, cout, (x.H - 1) / stride + 1, (x.W - 1) / stride + 1);

    public override bool IsDifferentiable => true;
    public override void Backward(BackwardContext ctx) =>
        ctx.Unary(X, Y, (dy, dx) => new ShortcutZeroPadBackwardOp($"{Name}.backward", dy, dx, Stride));

    public override void Reference(ReferenceContext m) => ReferenceForward(m[X], m[Y], LaunchShape);

    ShortcutZeroPadShape LaunchShape => new(Nchw(X), Y.Shape.C, Stride, PadFront);

    /// <summary>y = pad(subsample(x)): y[n, c + PadFront, h, w] = x[n, c, h*s, w*s], every other channel 0.</summary>
    public static void ReferenceForward(ReadOnlySpan<double> x, Span<double> y, ShortcutZeroPadShape s)
    {
        y.Clear();
        for (long i = 0; i < PairCount(s); i++) { var (xi, yi) = Pair(s, i); y[yi] = x[xi]; }
    }

    /// <summary>dx = the matching dy entries, 0 at skipped pixels (the padded channels' gradient is dropped).</summary>
    public static void ReferenceBackward(ReadOnlySpan<double> dy, Span<double> dx, ShortcutZeroPadShape s)
    {
        dx.Clear();
        for (long i = 0; i < PairCount(s); i++) { var (xi, yi) = Pair(s, i); dx[xi] = dy[yi]; }
    }

    static long PairCount(ShortcutZeroPadShape s) => (long)s.Input.N * s.Input.C * s.Output.H * s.Output.W;

    /// <summary>The i-th (x index, y index) pair that the shortcut copies, i over [N, Cin, Ho, Wo].</summary>
    static (int X, int Y) Pair(ShortcutZeroPadShape s, long i)
    {
        var xs = s.Input; var ys = s.Output;
        int ow = (int)(i % ys.W), oh = (int)(i / ys.W % ys.H), c = (int)(i / ys.W / ys.H % xs.C), n = (int)(i / ys.W / ys.H / xs.C);
        return (((n * xs.C + c) * xs.H + oh * s.Stride) * xs.W + ow * s.Stride, ((n * ys.C + c + s.PadFront) * ys.H + oh) * ys.W + ow);
    }

    public override void Record(CommandRecorder rec) =>
        ShortcutKernels.ZeroPadForward(rec, new ShortcutZeroPadShape(Nchw(X), Y.Shape.C, Stride, PadFront), rec.Slice(X), rec.Slice(Y));
}

/// <summary>dx[n, ci, h, w] = dy[n, ci + PadFront, h/s, w/s] where h, w are multiples of s, else 0.</summary>
public sealed class ShortcutZeroPadBackwardOp : Op
{
    public ShortcutZeroPadBackwardOp(string name, Tensor dy, Tensor dx, int stride) : base(name)
    {
        Dy = Read(dy);
        Dx = Write(dx);
        Stride = stride;
    }

    public override string Type => "ShortcutZeroPadBackward";
    public Tensor Dy { get; }
    public Tensor Dx { get; }
    public int Stride { get; }
    public int PadFront => (Dy.Shape.C - Dx.Shape.C) / 2;

    public override void Reference(ReferenceContext m) =>
        ShortcutZeroPadOp.ReferenceBackward(m[Dy], m[Dx], new ShortcutZeroPadShape(Nchw(Dx), Dy.Shape.C, Stride, PadFront));

    public override void Record(CommandRecorder rec) =>
        ShortcutKernels.ZeroPadBackward(rec, new ShortcutZeroPadShape(Nchw(Dx), Dy.Shape.C, Stride, PadFront), rec.Slice(Dy), rec.Slice(Dx));
}
