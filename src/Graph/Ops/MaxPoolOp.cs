using System.Runtime.InteropServices;
using VkResNet.Runtime;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Ops;

/// <summary>
/// Square max pooling (ResNet stem: 3x3, stride 2, pad 1; padded cells never win). Also writes the
/// int32 argmax index ih*W+iw of each output, which the backward gathers from.
/// </summary>
public sealed class MaxPoolOp : Op
{
    public MaxPoolOp(string name, Tensor x, Tensor y, Tensor indices, int kernel, int stride, int pad) : base(name)
    {
        X = Read(x);
        Y = Write(y);
        Indices = Write(indices);
        Kernel = kernel;
        Stride = stride;
        Pad = pad;
        Require(pad < kernel, "padding must be smaller than the kernel");
        Require(y.Shape == OutputShape(x.Shape, kernel, stride, pad) && indices.Shape == y.Shape, "output shape");
        Require(indices.ElementType == ElementType.Int32, "indices are int32");
    }

    public override string Type => "MaxPool";
    public Tensor X { get; }
    public Tensor Y { get; }
    public Tensor Indices { get; }
    public int Kernel { get; }
    public int Stride { get; }
    public int Pad { get; }

    public static TensorShape OutputShape(TensorShape x, int kernel, int stride, int pad) =>
        TensorShape.Nchw(x.N, x.C, (x.H + 2 * pad - kernel) / stride + 1, (x.W + 2 * pad - kernel) / stride + 1);

    public override long Flops => Y.Shape.ElementCount * Kernel * Kernel;

    public override bool IsDifferentiable => true;
    public override void Backward(BackwardContext ctx) =>
        ctx.Unary(X, Y, (dy, dx) => new MaxPoolBackwardOp($"{Name}.backward", dy, Indices, dx, Kernel, Stride, Pad));

    public override void Reference(ReferenceContext m)
    {
        var s = X.Shape; var ys = Y.Shape;
        var x = m[X]; var y = m[Y]; var idx = m[Indices];
        for (int p = 0; p < s.N * s.C; p++)
            for (int oh = 0; oh < ys.H; oh++)
                for (int ow = 0; ow < ys.W; ow++)
                {
                    double best = double.NegativeInfinity; int arg = -1;
                    for (int i = 0; i < Kernel; i++)
                        for (int j = 0; j < Kernel; j++)
                        {
                            int ih = oh * Stride - Pad + i, iw = ow * Stride - Pad + j;
                            if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
                            double v = x[p * s.H * s.W + ih * s.W + iw];
                            if (v > best) { best = v; arg = ih * s.W + iw; }
                        }
                    int o = (p * ys.H + oh) * ys.W + ow;
                    y[o] = best; idx[o] = arg;
                }
    }

    public override void Record(CommandRecorder rec) =>
        Launch(rec, new MaxPoolShape(Nchw(X), Kernel, Stride, Pad), rec.Slice(X), rec.Slice(Y), rec.Slice(Indices));

    /// <summary>y = window max, indices = in-plane index (ih * W + iw) of the first maximum, int32 shaped like y.</summary>
    public static void Launch(CommandRecorder r, MaxPoolShape s, BufferSlice x, BufferSlice y, BufferSlice indices)
    {
        const string op = "maxpool_forward";
        var push = Push(s, op);
        FlatGrid.Require(x, s.Input.Count, op, "x");
        FlatGrid.Require(y, s.Output.Count, op, "y");
        FlatGrid.Require(indices, s.Output.Count, op, "indices");
        var (gx, gy) = FlatGrid.GroupsFor4(s.Output.Count); // 4 outputs an invocation
        r.Dispatch(op, [], [Access.Read(x), Access.Write(y), Access.Write(indices)], push, gx, gy, 1);
    }

    internal static MaxPoolPush Push(MaxPoolShape s, string op)
    {
        s.Validate();
        FlatGrid.Count(s.Input.Count, op);
        return new MaxPoolPush
        {
            Planes = (uint)(s.Input.N * s.Input.C), H = (uint)s.Input.H, W = (uint)s.Input.W,
            Ho = (uint)s.Ho, Wo = (uint)s.Wo, Kernel = (uint)s.Kernel, Stride = (uint)s.Stride, Pad = (uint)s.Pad,
        };
    }
}

/// <summary>dx[i] = sum of dy over the windows whose saved argmax is i (a gather, no atomics).</summary>
public sealed class MaxPoolBackwardOp : Op
{
    public MaxPoolBackwardOp(string name, Tensor dy, Tensor indices, Tensor dx, int kernel, int stride, int pad) : base(name)
    {
        Dy = Read(dy);
        Indices = Read(indices);
        Dx = Write(dx);
        Kernel = kernel;
        Stride = stride;
        Pad = pad;
    }

    public override string Type => "MaxPoolBackward";
    public Tensor Dy { get; }
    public Tensor Indices { get; }
    public Tensor Dx { get; }
    public int Kernel { get; }
    public int Stride { get; }
    public int Pad { get; }
    public override long Flops => Dx.Shape.ElementCount;

    public override void Reference(ReferenceContext m)
    {
        var s = Dx.Shape; var ys = Dy.Shape;
        var dx = m[Dx]; var dy = m[Dy]; var idx = m[Indices];
        dx.Clear();
        int plane = ys.H * ys.W;
        for (int o = 0; o < dy.Length; o++)
            dx[o / plane * s.H * s.W + (int)idx[o]] += dy[o];
    }

    public override void Record(CommandRecorder rec) =>
        Launch(rec, new MaxPoolShape(Nchw(Dx), Kernel, Stride, Pad), rec.Slice(Dy), rec.Slice(Indices), rec.Slice(Dx));

    /// <summary>dx[i] = sum of dy over the windows whose saved argmax is i (fixed order).</summary>
    public static void Launch(CommandRecorder r, MaxPoolShape s, BufferSlice dy, BufferSlice indices, BufferSlice dx)
    {
        const string op = "maxpool_backward";
        var push = MaxPoolOp.Push(s, op);
        FlatGrid.Require(dy, s.Output.Count, op, "dy");
        FlatGrid.Require(indices, s.Output.Count, op, "indices");
        FlatGrid.Require(dx, s.Input.Count, op, "dx");
        var (gx, gy) = FlatGrid.Groups(s.Input.Count);
        r.Dispatch(op, [], [Access.Read(dy), Access.Read(indices), Access.Write(dx)], push, gx, gy, 1);
    }
}

/// <summary>Push constants of maxpool_forward.comp and maxpool_backward.comp (include/pool_shape.glsl).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct MaxPoolPush
{
    public uint Planes;
    public uint H;
    public uint W;
    public uint Ho;
    public uint Wo;
    public uint Kernel;
    public uint Stride;
    public uint Pad;
}

/// <summary>Square max pooling over NCHW (ResNet stem: kernel 3, stride 2, pad 1), PyTorch's floor output size.</summary>
public readonly record struct MaxPoolShape(NchwShape Input, int Kernel = 3, int Stride = 2, int Pad = 1)
{
    public int Ho => (Input.H + 2 * Pad - Kernel) / Stride + 1;
    public int Wo => (Input.W + 2 * Pad - Kernel) / Stride + 1;
    public NchwShape Output => new(Input.N, Input.C, Ho, Wo);

    public void Validate()
    {
        Input.Validate();
        // pad <= kernel / 2 (PyTorch's rule) keeps every window on at least one real pixel.
        if (Kernel <= 0 || Stride <= 0 || Pad < 0 || 2 * Pad > Kernel || Ho <= 0 || Wo <= 0)
            throw new ArgumentException($"max pool: invalid kernel {Kernel}, stride {Stride}, pad {Pad} for input {Input}.");
    }

    public override string ToString() => $"{Input} k{Kernel} s{Stride} p{Pad} -> {Output}";
}
