using System.Runtime.InteropServices;
using VkResNet.Runtime;
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
        Launch(rec, new ShortcutZeroPadShape(Nchw(X), Y.Shape.C, Stride, PadFront), rec.Slice(X), rec.Slice(Y));

    public static void Launch(CommandRecorder r, ShortcutZeroPadShape s, BufferSlice x, BufferSlice y)
    {
        const string op = "shortcut_zeropad_forward";
        var push = Push(s, op);
        FlatGrid.Require(x, s.Input.Count, op, "x");
        FlatGrid.Require(y, s.Output.Count, op, "y");
        var (gx, gy) = FlatGrid.GroupsFor4(s.Output.Count);
        r.Dispatch(op, [], [Access.Read(x), Access.Write(y)], push, gx, gy, 1);
    }

    internal static ShortcutZeroPadPush Push(ShortcutZeroPadShape s, string op)
    {
        s.Validate();
        FlatGrid.Count(Math.Max(s.Input.Count, s.Output.Count), op);
        return new ShortcutZeroPadPush
        {
            Batch = (uint)s.Input.N, Cin = (uint)s.Input.C, H = (uint)s.Input.H, W = (uint)s.Input.W,
            Cout = (uint)s.Cout, Ho = (uint)s.Ho, Wo = (uint)s.Wo, Stride = (uint)s.Stride, PadFront = (uint)s.PadFront,
        };
    }
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
        Launch(rec, new ShortcutZeroPadShape(Nchw(Dx), Dy.Shape.C, Stride, PadFront), rec.Slice(Dy), rec.Slice(Dx));

    /// <summary>dx = dy at the sampled pixels of the real channels, 0 elsewhere.</summary>
    public static void Launch(CommandRecorder r, ShortcutZeroPadShape s, BufferSlice dy, BufferSlice dx)
    {
        const string op = "shortcut_zeropad_backward";
        var push = ShortcutZeroPadOp.Push(s, op);
        FlatGrid.Require(dy, s.Output.Count, op, "dy");
        FlatGrid.Require(dx, s.Input.Count, op, "dx");
        var (gx, gy) = FlatGrid.GroupsFor4(s.Input.Count);
        r.Dispatch(op, [], [Access.Read(dy), Access.Write(dx)], push, gx, gy, 1);
    }
}

/// <summary>Push constants of shortcut_zeropad_forward/backward.comp (include/shortcut_shape.glsl).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ShortcutZeroPadPush
{
    public uint Batch;
    public uint Cin;
    public uint H;
    public uint W;
    public uint Cout;
    public uint Ho;
    public uint Wo;
    public uint Stride;
    public uint PadFront;
}

/// <summary>
/// Option-A shortcut shape: x[:, :, ::Stride, ::Stride] with PadFront zero channels before and
/// Cout - Cin - PadFront after (PyTorch CIFAR ResNet: PadFront = (Cout - Cin) / 2, i.e. planes / 4 each side).
/// </summary>
public readonly record struct ShortcutZeroPadShape(NchwShape Input, int Cout, int Stride, int PadFront)
{
    public ShortcutZeroPadShape(NchwShape input, int cout, int stride = 2) : this(input, cout, stride, (cout - input.C) / 2) { }

    public int Ho => (Input.H + Stride - 1) / Stride;
    public int Wo => (Input.W + Stride - 1) / Stride;
    public NchwShape Output => new(Input.N, Cout, Ho, Wo);

    public void Validate()
    {
        Input.Validate();
        if (Stride <= 0 || PadFront < 0 || Cout < Input.C + PadFront)
            throw new ArgumentException($"zero-pad shortcut: invalid Cout {Cout}, stride {Stride}, pad front {PadFront} for input {Input}.");
    }

    public override string ToString() => $"{Input} s{Stride} front{PadFront} -> {Output}";
}
