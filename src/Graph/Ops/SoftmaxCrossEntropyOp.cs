using System.Runtime.InteropServices;
using VkResNet.Runtime;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Ops;

/// <summary>
/// Batch-mean softmax cross-entropy with label smoothing: result[0] = mean loss, result[1] = number of
/// samples whose argmax equals the label. logits [N, K] float, labels [N] int32. It is the scalar root of
/// autodiff: its backward seeds dlogits = (softmax - smoothed one-hot) / N without an incoming gradient.
/// </summary>
public sealed class SoftmaxCrossEntropyOp : Op
{
    /// <summary>Floats the forward writes: [0] = mean loss, [1] = count of correct top-1 predictions.</summary>
    public const int ResultFloats = 2;

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

    public override void Reference(ReferenceContext m) => ReferenceLoss(m, Logits, Labels, LabelSmoothing, Result, null);

    /// <summary>Per row: lse = logsumexp(z), t = (1 - s) one_hot + s / K; loss += t . (lse - z), correct += argmax == label;
    /// dlogits = (softmax(z) - t) / N. Writes whichever of result and dlogits is given.</summary>
    internal static void ReferenceLoss(ReferenceContext m, Tensor logitsT, Tensor labelsT, double smoothing, Tensor? resultT, Tensor? dT)
    {
        var z = m[logitsT]; var labels = m[labelsT];
        int batch = logitsT.Shape[0], k = logitsT.Shape[1];
        Span<double> d = dT is null ? default : m[dT];
        double loss = 0, correct = 0;
        for (int n = 0; n < batch; n++)
        {
            var row = z.Slice(n * k, k);
            double max = double.NegativeInfinity; int arg = 0;
            for (int j = 0; j < k; j++) if (row[j] > max) { max = row[j]; arg = j; }
            double se = 0;
            for (int j = 0; j < k; j++) se += Math.Exp(row[j] - max);
            double lse = max + Math.Log(se);
            int label = (int)labels[n];
            for (int j = 0; j < k; j++)
            {
                double t = (j == label ? 1 - smoothing : 0) + smoothing / k;
                loss += t * (lse - row[j]);
                if (dT is not null) d[n * k + j] = (Math.Exp(row[j] - lse) - t) / batch;
            }
            if (arg == label) correct++;
        }
        if (resultT is not null)
        {
            var r = m[resultT];
            r[0] = loss / batch; r[1] = correct;
        }
    }

    public override void Record(CommandRecorder rec) =>
        Launch(rec, Batch, Classes, rec.Slice(Logits), rec.Slice(Labels), rec.Slice(Result), LabelSmoothing);

    public static void Launch(CommandRecorder r, int batch, int classes, BufferSlice logits, BufferSlice labels,
        BufferSlice result, float smoothing = 0f)
    {
        const string op = "softmax_cross_entropy_forward";
        var push = Push(batch, classes, smoothing, op);
        FlatGrid.Require(logits, (long)batch * classes, op, "logits");
        FlatGrid.Require(labels, batch, op, "labels");
        FlatGrid.Require(result, ResultFloats, op, "result");
        // One workgroup: the batch mean is one deterministic tree.
        r.Dispatch(op, [], [Access.Read(logits), Access.Read(labels), Access.Write(result)], push, 1, 1, 1);
    }

    internal static SoftmaxCrossEntropyPush Push(int batch, int classes, float smoothing, string op)
    {
        if (batch <= 0 || classes <= 0 || !(smoothing >= 0 && smoothing < 1))
            throw new ArgumentException($"{op}: need batch > 0, classes > 0, smoothing in [0, 1); got {batch}, {classes}, {smoothing}.");
        FlatGrid.Count((long)batch * classes, op);
        return new SoftmaxCrossEntropyPush { Batch = (uint)batch, Classes = (uint)classes, Smoothing = smoothing };
    }
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

    public override void Reference(ReferenceContext m) =>
        SoftmaxCrossEntropyOp.ReferenceLoss(m, Logits, Labels, LabelSmoothing, null, Dlogits);

    public override void Record(CommandRecorder rec) =>
        Launch(rec, Logits.Shape[0], Logits.Shape[1], rec.Slice(Logits), rec.Slice(Labels), rec.Slice(Dlogits), LabelSmoothing);

    /// <summary>dlogits = (softmax(logits) - smoothed one-hot) / N: the gradient of the batch-mean loss.</summary>
    public static void Launch(CommandRecorder r, int batch, int classes, BufferSlice logits, BufferSlice labels,
        BufferSlice dlogits, float smoothing = 0f)
    {
        const string op = "softmax_cross_entropy_backward";
        var push = SoftmaxCrossEntropyOp.Push(batch, classes, smoothing, op);
        FlatGrid.Require(logits, (long)batch * classes, op, "logits");
        FlatGrid.Require(labels, batch, op, "labels");
        FlatGrid.Require(dlogits, (long)batch * classes, op, "dlogits");
        var (gx, gy) = FlatGrid.Groups(batch);
        r.Dispatch(op, [], [Access.Read(logits), Access.Read(labels), Access.Write(dlogits)], push, gx, gy, 1);
    }
}

/// <summary>Push constants of softmax_cross_entropy_forward/backward.comp (include/softmax_ce_common.glsl).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct SoftmaxCrossEntropyPush
{
    public uint Batch;
    public uint Classes;
    public float Smoothing;
}
