using VkResNet.Graph.Kernels;
using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Ops;

/// <summary>
/// Fully connected layer y = x W^T + b; x [N, in], W [out, in] (PyTorch layout), b [out], y [N, out].
/// Backward: dx = dy W, dW = dy^T x, db = sum over the batch of dy.
/// </summary>
public sealed class LinearOp : Op
{
    public LinearOp(string name, Tensor x, Tensor weight, Tensor? bias, Tensor y) : base(name)
    {
        X = Read(x);
        Weight = Read(weight);
        Bias = bias is null ? null : Read(bias);
        Y = Write(y);
        Require(x.Shape.Rank == 2 && weight.Shape.Rank == 2 && weight.Shape[1] == x.Shape[1], $"x {x.Shape} and W {weight.Shape} do not match");
        Require(bias is null || bias.Shape == new TensorShape(weight.Shape[0]), "bias must be [out]");
        Require(y.Shape == new TensorShape(x.Shape[0], weight.Shape[0]), "y must be [N, out]");
    }

    public override string Type => "Linear";
    public Tensor X { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }
    public Tensor Y { get; }
    public int Batch => X.Shape[0];
    public int InFeatures => Weight.Shape[1];
    public int OutFeatures => Weight.Shape[0];
    public override long Macs => (long)Batch * InFeatures * OutFeatures;

    public override bool IsDifferentiable => true;
    public override void Backward(BackwardContext ctx)
    {
        var dy = ctx.GradOf(Y);
        if (dy is null)
            return;
        if (ctx.NeedsGrad(X))
        {
            var dx = ctx.NewGrad(X);
            ctx.Emit(new LinearBackwardInputOp($"{Name}.backward_input", dy, Weight, dx));
            ctx.Contribute(X, dx);
        }
        var dw = ctx.NewGrad(Weight);
        var db = Bias is null ? null : ctx.NewGrad(Bias);
        ctx.Emit(new LinearBackwardWeightOp($"{Name}.backward_weight", dy, X, dw, db));
        ctx.Contribute(Weight, dw);
        if (Bias is not null)
            ctx.Contribute(Bias, db!);
    }

    /// <summary>The tuner's key of the forward GEMM: a 1x1 conv over 1x1 maps (<see cref="LinearGemm"/>).</summary>
    public ConvKey Key => new(ConvDirection.Forward, LinearGemm.Shape(new LinearShape(Batch, InFeatures, OutFeatures)), Bias is null ? 0 : Conv2dFlags.Bias);
    public override IReadOnlyList<ConvKey> KernelKeys => [Key];
    public override long ScratchBytes(KernelSelection kernels) => kernels.Choose(Key).Scratch(Key.Shape);

    public override void Reference(ReferenceContext m) =>
        ReferenceForward(m[X], m[Weight], Bias is null ? default : m[Bias], m[Y], new LinearShape(Batch, InFeatures, OutFeatures));

    /// <summary>y = x W^T (+ b when not empty).</summary>
    public static void ReferenceForward(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> b, Span<double> y, LinearShape s)
    {
        for (int n = 0; n < s.N; n++)
            for (int o = 0; o < s.Out; o++)
            {
                double acc = b.IsEmpty ? 0 : b[o];
                for (int i = 0; i < s.In; i++) acc += x[n * s.In + i] * w[o * s.In + i];
                y[n * s.Out + o] = acc;
            }
    }

    /// <summary>dx = dy W.</summary>
    public static void ReferenceBackwardInput(ReadOnlySpan<double> dy, ReadOnlySpan<double> w, Span<double> dx, LinearShape s)
    {
        for (int n = 0; n < s.N; n++)
            for (int i = 0; i < s.In; i++)
            {
                double acc = 0;
                for (int o = 0; o < s.Out; o++) acc += dy[n * s.Out + o] * w[o * s.In + i];
                dx[n * s.In + i] = acc;
            }
    }

    /// <summary>dW = dy^T x; db (when not empty) = column sums of dy.</summary>
    public static void ReferenceBackwardWeight(ReadOnlySpan<double> dy, ReadOnlySpan<double> x, Span<double> dw, Span<double> db, LinearShape s)
    {
        for (int o = 0; o < s.Out; o++)
        {
            double bsum = 0;
            for (int n = 0; n < s.N; n++) bsum += dy[n * s.Out + o];
            if (!db.IsEmpty) db[o] = bsum;
            for (int i = 0; i < s.In; i++)
            {
                double acc = 0;
                for (int n = 0; n < s.N; n++) acc += dy[n * s.Out + o] * x[n * s.In + i];
                dw[o * s.In + i] = acc;
            }
        }
    }

    public override void Record(CommandRecorder rec) =>
        Conv2dKernels.Record(rec, rec.Choose(Key), Key,
                             new ConvOperands(rec.Slice(X), rec.Slice(Weight), rec.Slice(Y), rec.Scratch, Bias is null ? null : rec.Slice(Bias)));
}

/// <summary>dx = dy W: [N, out] x [out, in].</summary>
public sealed class LinearBackwardInputOp : Op
{
    public LinearBackwardInputOp(string name, Tensor dy, Tensor weight, Tensor dx) : base(name)
    {
        Dy = Read(dy);
        Weight = Read(weight);
        Dx = Write(dx);
    }

    public override string Type => "LinearBackwardInput";
    public Tensor Dy { get; }
    public Tensor Weight { get; }
    public Tensor Dx { get; }
    public override long Macs => Dy.Shape.ElementCount * Weight.Shape[1];

    public ConvKey Key => new(ConvDirection.BackwardInput, LinearGemm.Shape(new LinearShape(Dy.Shape[0], Weight.Shape[1], Weight.Shape[0])));
    public override IReadOnlyList<ConvKey> KernelKeys => [Key];
    public override long ScratchBytes(KernelSelection kernels) => kernels.Choose(Key).Scratch(Key.Shape);

    public override void Reference(ReferenceContext m) =>
        LinearOp.ReferenceBackwardInput(m[Dy], m[Weight], m[Dx], new LinearShape(Dy.Shape[0], Weight.Shape[1], Weight.Shape[0]));

    public override void Record(CommandRecorder rec) =>
        Conv2dKernels.Record(rec, rec.Choose(Key), Key, new ConvOperands(rec.Slice(Dy), rec.Slice(Weight), rec.Slice(Dx), rec.Scratch));
}

/// <summary>dW = dy^T x, db = column sums of dy (overwrites both).</summary>
public sealed class LinearBackwardWeightOp : Op
{
    public LinearBackwardWeightOp(string name, Tensor dy, Tensor x, Tensor dw, Tensor? db) : base(name)
    {
        Dy = Read(dy);
        X = Read(x);
        Dw = Write(dw);
        Db = db is null ? null : Write(db);
    }

    public override string Type => "LinearBackwardWeight";
    public Tensor Dy { get; }
    public Tensor X { get; }
    public Tensor Dw { get; }
    public Tensor? Db { get; }
    public override long Macs => Dy.Shape.ElementCount * X.Shape[1];

    LinearShape Shape => new(X.Shape[0], Dw.Shape[1], Dw.Shape[0]);
    public ConvKey Key => new(ConvDirection.BackwardWeight, LinearGemm.Shape(Shape));
    public override IReadOnlyList<ConvKey> KernelKeys => [Key];
    public override long ScratchBytes(KernelSelection kernels) => kernels.Choose(Key).Scratch(Key.Shape);

    public override void Reference(ReferenceContext m) =>
        LinearOp.ReferenceBackwardWeight(m[Dy], m[X], m[Dw], Db is null ? default : m[Db], new LinearShape(X.Shape[0], Dw.Shape[1], Dw.Shape[0]));

    public override void Record(CommandRecorder rec)
    {
        var s = Shape;
        Conv2dKernels.Record(rec, rec.Choose(Key), Key, new ConvOperands(rec.Slice(Dy), rec.Slice(X), rec.Slice(Dw), rec.Scratch));
        if (Db is not null) LinearKernels.BackwardBias(rec, s, rec.Slice(Dy), rec.Slice(Db));
    }
}
