using VkResNet.Runtime;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Ops;

/// <summary>
/// y += x in place: how autodiff sums the gradients of a tensor that feeds two consumers (the input of
/// every residual block). Only appended on a gradient tensor that belongs to that one tensor.
/// </summary>
public sealed class AccumulateOp : Op
{
    public AccumulateOp(string name, Tensor x, Tensor y) : base(name)
    {
        X = Read(x);
        Y = ReadWrite(y);
        Require(x.Shape == y.Shape, "x and y must have the same shape");
    }

    public override string Type => "Accumulate";
    public Tensor X { get; }
    public Tensor Y { get; }
    public override long Flops => Y.Shape.ElementCount;

    public override void Reference(ReferenceContext m)
    {
        var x = m[X]; var y = m[Y];
        for (int i = 0; i < y.Length; i++) y[i] += x[i];
    }

    public override void Record(CommandRecorder rec) =>
        Launch(rec, X.Shape.ElementCount, rec.Slice(X), rec.Slice(Y));

    /// <summary>y += x over <paramref name="count"/> floats (accumulate.comp): sums the gradients of a tensor with two consumers.</summary>
    public static void Launch(CommandRecorder r, long count, BufferSlice x, BufferSlice y)
        => FlatGrid.Elementwise(r, "accumulate", count, ("x", Access.Read(x)), ("y", Access.ReadWrite(y)));
}
