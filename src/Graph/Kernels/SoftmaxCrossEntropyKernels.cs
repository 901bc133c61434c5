using System.Runtime.InteropServices;
using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>Push constants of softmax_cross_entropy_forward/backward.comp (include/softmax_ce_common.glsl).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct SoftmaxCrossEntropyPush
{
    public uint Batch;
    public uint Classes;
    public float Smoothing;
}

/// <summary>
/// Softmax cross-entropy over logits [N, K] with int32 labels [N] and optional label smoothing.
/// The forward writes a 2-float result: [0] = mean loss, [1] = count of correct top-1 predictions.
/// </summary>
public static class SoftmaxCrossEntropyKernels
{
    public const int ResultFloats = 2;

    public static void Forward(CommandRecorder r, int batch, int classes, BufferSlice logits, BufferSlice labels,
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

    /// <summary>dlogits = (softmax(logits) - smoothed one-hot) / N: the gradient of the batch-mean loss.</summary>
    public static void Backward(CommandRecorder r, int batch, int classes, BufferSlice logits, BufferSlice labels,
        BufferSlice dlogits, float smoothing = 0f)
    {
        const string op = "softmax_cross_entropy_backward";
        var push = Push(batch, classes, smoothing, op);
        FlatGrid.Require(logits, (long)batch * classes, op, "logits");
        FlatGrid.Require(labels, batch, op, "labels");
        FlatGrid.Require(dlogits, (long)batch * classes, op, "dlogits");
        var (gx, gy) = FlatGrid.Groups(batch);
        r.Dispatch(op, [], [Access.Read(logits), Access.Read(labels), Access.Write(dlogits)], push, gx, gy, 1);
    }

    private static SoftmaxCrossEntropyPush Push(int batch, int classes, float smoothing, string op)
    {
        if (batch <= 0 || classes <= 0 || !(smoothing >= 0 && smoothing < 1))
            throw new ArgumentException($"{op}: need batch > 0, classes > 0, smoothing in [0, 1); got {batch}, {classes}, {smoothing}.");
        FlatGrid.Count((long)batch * classes, op);
        return new SoftmaxCrossEntropyPush { Batch = (uint)batch, Classes = (uint)classes, Smoothing = smoothing };
    }
}
