using VkResNet.Graph.Kernels;
using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Ops;

/// <summary>
/// Batch-mean softmax cross-entropy with label smoothing: result[0] = mean loss, result[1] = number of
/// samples whose argmax equals the label. logits [N, K] float, labels [N] int32. It is the scalar root of
/// autodiff: its backward seeds dlogits = (softmax - smoothed one-hot) / N without an incoming gradient.
/// </summary>
public sealed class SoftmaxCrossEntropyOp : Op
{
    public SoftmaxCrossEntropyOp(string name, Tensor logits, Tensor labels, Tensor result, float labelSmoothing) : base(name)
    {
        Logits = Read(logits);
        Labels = Read(labels);
        Result = Write(result);
        LabelSmoothing = labelSmoothing;
        Require(logits.Shape.Rank == 2 && labels.Shape == new TensorShape(logits.Shape[0]), "logits [N, K], labels [N]");
        Require(labels.ElementType == ElementType.Int32, "labels are int32");
        Require(result.Shape == new TensorShape(2), "result is [loss, correct]");
        Require(labelSmoothing is >= 0 and < 1, "label smoothing in [0, 1)");
    }

    public override string Type => "SoftmaxCrossEntropy";
    public Tensor Logits { get; }
    public Tensor Labels { get; }
    public Tensor Result { get; }
    public float LabelSmoothing { get; }
    public int Batch => Logits.Shape[0];
    public int Classes => Logits.Shape[1];
    public override long Flops => Logits.Shape.ElementCount * 4;

    public override bool IsDifferentiable => true;
    public override void Backward(BackwardContext ctx)
    {
        if (!ctx.NeedsGrad(Logits))
            return;
        var dlogits = ctx.NewGrad(Logits);
        ctx.Emit(new SoftmaxCrossEntropyBackwardOp($"{Name}.backward", Logits, Labels, dlogits, LabelSmoothing));
        ctx.Contribute(Logits, dlogits);
    }

    public override void Record(OpRecordContext ctx) =>
        SoftmaxCrossEntropyKernels.Forward(ctx.Recorder, Batch, Classes, ctx.Slice(Logits), ctx.Slice(Labels), ctx.Slice(Result), LabelSmoothing);
}

/// <summary>dlogits[n, k] = (softmax(z_n)_k - t_k) / N, t = (1 - s) one_hot + s / K.</summary>
public sealed class SoftmaxCrossEntropyBackwardOp : Op
{
    public SoftmaxCrossEntropyBackwardOp(string name, Tensor logits, Tensor labels, Tensor dlogits, float labelSmoothing) : base(name)
    {
        Logits = Read(logits);
        Labels = Read(labels);
        Dlogits = Write(dlogits);
        LabelSmoothing = labelSmoothing;
    }

    public override string Type => "SoftmaxCrossEntropyBackward";
    public Tensor Logits { get; }
    public Tensor Labels { get; }
    public Tensor Dlogits { get; }
    public float LabelSmoothing { get; }
    public override long Flops => Logits.Shape.ElementCount * 4;

    public override void Record(OpRecordContext ctx) =>
        SoftmaxCrossEntropyKernels.Backward(ctx.Recorder, Logits.Shape[0], Logits.Shape[1], ctx.Slice(Logits), ctx.Slice(Labels), ctx.Slice(Dlogits), LabelSmoothing);
}
