using VkResNet.Graph.Kernels;
using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Compiler;
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
    public override void Backward(BackwardContext ctx)
    {
        var dy = ctx.GradOf(Y);
        if (dy is null || !ctx.NeedsGrad(X))
            return;
        var dx = ctx.NewGrad(X);
        ctx.Emit(new MaxPoolBackwardOp($"{Name}.backward", dy, Indices, dx, Kernel, Stride, Pad));
        ctx.Contribute(X, dx);
    }

    public override void Record(OpRecordContext ctx) =>
        PoolKernels.MaxForward(ctx.Recorder, new MaxPoolShape(OpRecordContext.Nchw(X), Kernel, Stride, Pad), ctx.Slice(X), ctx.Slice(Y), ctx.Slice(Indices));
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

    public override void Record(OpRecordContext ctx) =>
        PoolKernels.MaxBackward(ctx.Recorder, new MaxPoolShape(OpRecordContext.Nchw(Dx), Kernel, Stride, Pad), ctx.Slice(Dy), ctx.Slice(Indices), ctx.Slice(Dx));
}
