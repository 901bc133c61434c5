using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Kernels;
using VkResNet.Runtime;

namespace VkResNet.Graph.Ops;

/// <summary>
/// Square average pooling without padding, floor output size (PyTorch's AvgPool2d(k, s), ceil_mode = false):
/// y[n, c, oh, ow] = mean of the k x k window of x at (oh*s, ow*s). The ResNet-D shortcut ("Bag of Tricks") pools
/// 2x2 with stride 2 before its 1x1 conv. Backward: each window hands dy / (k*k) to every cell in it.
/// The whole op lives in this file and avgpool2d_{forward,backward}.comp: the builder method, shape rule, FLOPs,
/// backward rule, reference and launchers.
/// </summary>
public sealed class AvgPool2dOp : Op
{
    public AvgPool2dOp(string name, Tensor x, Tensor y, int kernel, int stride) : base(name)
    {
        X = Read(x);
        Y = Write(y);
        Kernel = kernel;
        Stride = stride;
        Require(kernel > 0 && stride > 0, "kernel and stride must be positive");
        Require(x.Shape.Rank == 4 && x.Shape.H >= kernel && x.Shape.W >= kernel, $"input {x.Shape} is smaller than the {kernel}x{kernel} window");
        Require(y.Shape == OutputShape(x.Shape, kernel, stride), $"output {y.Shape} is not the pooled shape");
    }

    public override string Type => "AvgPool2d";
    public Tensor X { get; }
    public Tensor Y { get; }
    public int Kernel { get; }
    public int Stride { get; }

    /// <summary>Shape rule: Ho = (H - k) / s + 1, likewise Wo.</summary>
    public static TensorShape OutputShape(TensorShape x, int kernel, int stride) =>
        TensorShape.Nchw(x.N, x.C, (x.H - kernel) / stride + 1, (x.W - kernel) / stride + 1);

    public override long Flops => Y.Shape.ElementCount * Kernel * Kernel;

    public override bool IsDifferentiable => true;
    public override void Backward(BackwardContext ctx) =>
        ctx.Unary(X, Y, (dy, dx) => new AvgPool2dBackwardOp($"{Name}.backward", dy, dx, Kernel, Stride));

    public override void Reference(ReferenceContext m)
    {
        var s = X.Shape; var ys = Y.Shape;
        var x = m[X]; var y = m[Y];
        for (int p = 0; p < s.N * s.C; p++)
            for (int oh = 0; oh < ys.H; oh++)
                for (int ow = 0; ow < ys.W; ow++)
                {
                    double sum = 0;
                    for (int i = 0; i < Kernel; i++)
                        for (int j = 0; j < Kernel; j++)
                            sum += x[(p * s.H + oh * Stride + i) * s.W + ow * Stride + j];
                    y[(p * ys.H + oh) * ys.W + ow] = sum / (Kernel * Kernel);
                }
    }

    public override void Record(CommandRecorder rec)
    {
        const string op = "avgpool2d_forward";
        var push = Push(X, Y, Kernel, Stride);
        FlatGrid.Require(rec.Slice(X), X.Shape.ElementCount, op, "x");
        FlatGrid.Require(rec.Slice(Y), Y.Shape.ElementCount, op, "y");
        var (gx, gy) = FlatGrid.Groups(Y.Shape.ElementCount);
        rec.Dispatch(op, [], [Access.Read(rec.Slice(X)), Access.Write(rec.Slice(Y))], push, gx, gy, 1);
    }

    /// <summary>The push block of both kernels (include/pool_shape.glsl, padding 0).</summary>
    internal static MaxPoolPush Push(Tensor x, Tensor y, int kernel, int stride) => new()
    {
        Planes = (uint)(x.Shape.N * x.Shape.C), H = (uint)x.Shape.H, W = (uint)x.Shape.W,
        Ho = (uint)y.Shape.H, Wo = (uint)y.Shape.W, Kernel = (uint)kernel, Stride = (uint)stride, Pad = 0,
    };
}

/// <summary>dx[n, c, h, w] = sum over the windows containing (h, w) of dy / (k*k); 0 where no window reaches (a gather).</summary>
public sealed class AvgPool2dBackwardOp : Op
{
    public AvgPool2dBackwardOp(string name, Tensor dy, Tensor dx, int kernel, int stride) : base(name)
    {
        Dy = Read(dy);
        Dx = Write(dx);
        Kernel = kernel;
        Stride = stride;
        Require(dy.Shape == AvgPool2dOp.OutputShape(dx.Shape, kernel, stride), $"dy {dy.Shape} is not the pooled shape of dx {dx.Shape}");
    }

    public override string Type => "AvgPool2dBackward";
    public Tensor Dy { get; }
    public Tensor Dx { get; }
    public int Kernel { get; }
    public int Stride { get; }
    public override long Flops => Dx.Shape.ElementCount;

    public override void Reference(ReferenceContext m)
    {
        var s = Dx.Shape; var ys = Dy.Shape;
        var dx = m[Dx]; var dy = m[Dy];
        dx.Clear();
        for (int p = 0; p < s.N * s.C; p++)
            for (int oh = 0; oh < ys.H; oh++)
                for (int ow = 0; ow < ys.W; ow++)
                {
                    double g = dy[(p * ys.H + oh) * ys.W + ow] / (Kernel * Kernel);
                    for (int i = 0; i < Kernel; i++)
                        for (int j = 0; j < Kernel; j++)
                            dx[(p * s.H + oh * Stride + i) * s.W + ow * Stride + j] += g;
                }
    }

    public override void Record(CommandRecorder rec)
    {
        const string op = "avgpool2d_backward";
        var push = AvgPool2dOp.Push(Dx, Dy, Kernel, Stride);
        FlatGrid.Require(rec.Slice(Dy), Dy.Shape.ElementCount, op, "dy");
        FlatGrid.Require(rec.Slice(Dx), Dx.Shape.ElementCount, op, "dx");
        var (gx, gy) = FlatGrid.Groups(Dx.Shape.ElementCount);
        rec.Dispatch(op, [], [Access.Read(rec.Slice(Dy)), Access.Write(rec.Slice(Dx))], push, gx, gy, 1);
    }
}

/// <summary>The builder method of the op, beside it: <c>builder.AvgPool2d("layer2.0.downsample.0", x)</c>.</summary>
public static class AvgPool2dBuilder
{
    public static Tensor AvgPool2d(this GraphBuilder g, string name, Tensor x, int kernel = 2, int stride = 2, string? output = null)
    {
        var y = g.Activation(output ?? name, AvgPool2dOp.OutputShape(x.Shape, kernel, stride));
        g.Add(new AvgPool2dOp(name, x, y, kernel, stride));
        return y;
    }
}
