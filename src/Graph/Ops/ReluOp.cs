using VkResNet.Runtime;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Ops;

/// <summary>y = max(x, 0). Backward from the output: dx = dy where y &gt; 0, so x need not be kept.</summary>
public sealed class ReluOp : Op
{
    public ReluOp(string name, Tensor x, Tensor y) : base(name)
    {
        X = Read(x);
        Y = Write(y);
        Require(x.Shape == y.Shape, "x and y must have the same shape");
    }

    public override string Type => "Relu";
    public Tensor X { get; }
    public Tensor Y { get; }
    public override long Flops => X.Shape.ElementCount;

    public override bool IsDifferentiable => true;
    public override void Backward(BackwardContext ctx) =>
        ctx.Unary(X, Y, (dy, dx) => new ReluBackwardOp($"{Name}.backward", dy, Y, dx));

    public override void Reference(ReferenceContext m)
    {
        var x = m[X]; var y = m[Y];
        for (int i = 0; i < y.Length; i++) y[i] = Math.Max(x[i], 0);
    }

    public override void Record(CommandRecorder rec) =>
        Launch(rec, X.Shape.ElementCount, rec.Slice(X), rec.Slice(Y));

    /// <summary>y = max(x, 0) over <paramref name="count"/> floats.</summary>
    public static void Launch(CommandRecorder r, long count, BufferSlice x, BufferSlice y)
        => FlatGrid.Elementwise(r, "relu_forward", count, ("x", Access.Read(x)), ("y", Access.Write(y)));
}

/// <summary>dx = dy * (y &gt; 0), reading the forward output y.</summary>
public sealed class ReluBackwardOp : Op
{
    public ReluBackwardOp(string name, Tensor dy, Tensor y, Tensor dx) : base(name)
    {
        Dy = Read(dy);
        Y = Read(y);
        Dx = Write(dx);
    }

    public override string Type => "ReluBackward";
    public Tensor Dy { get; }
    public Tensor Y { get; }
    public Tensor Dx { get; }
    public override long Flops => Dy.Shape.ElementCount;

    public override void Reference(ReferenceContext m)
    {
        var dy = m[Dy]; var y = m[Y]; var dx = m[Dx];
        for (int i = 0; i < dx.Length; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
    }

    public override void Record(CommandRecorder rec) =>
        Launch(rec, Dy.Shape.ElementCount, rec.Slice(Dy), rec.Slice(Y), rec.Slice(Dx));

    /// <summary>dx = dy where the forward OUTPUT y &gt; 0, else 0 (so the graph keeps y, not x).</summary>
    public static void Launch(CommandRecorder r, long count, BufferSlice dy, BufferSlice y, BufferSlice dx)
        => FlatGrid.Elementwise(r, "relu_backward", count, ("dy", Access.Read(dy)), ("y", Access.Read(y)), ("dx", Access.Write(dx)));
}
