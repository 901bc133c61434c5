using VkResNet.Runtime;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Ops;

/// <summary>
/// Residual add y = a + b (same shape). Its backward costs no pass: dy is handed to both inputs
/// as their gradient (autodiff copies on a later accumulation, so the shared tensor is never modified).
/// </summary>
public sealed class AddOp : Op
{
    public AddOp(string name, Tensor a, Tensor b, Tensor y) : base(name)
    {
        A = Read(a);
        B = Read(b);
        Y = Write(y);
        Require(a.Shape == b.Shape && y.Shape == a.Shape, $"shapes differ: {a.Shape} + {b.Shape} -> {y.Shape}");
    }

    public override string Type => "Add";
    public Tensor A { get; }
    public Tensor B { get; }
    public Tensor Y { get; }
    public override long Flops => Y.Shape.ElementCount;

    public override bool IsDifferentiable => true;
    public override void Backward(BackwardContext ctx)
    {
        var dy = ctx.GradOf(Y);
        if (dy is null)
            return;
        if (ctx.NeedsGrad(A))
            ctx.Contribute(A, dy);
        if (ctx.NeedsGrad(B))
            ctx.Contribute(B, dy);
    }

    public override void Reference(ReferenceContext m)
    {
        var a = m[A]; var b = m[B]; var y = m[Y];
        for (int i = 0; i < y.Length; i++) y[i] = a[i] + b[i];
    }

    public override void Record(CommandRecorder rec) =>
        Launch(rec, Y.Shape.ElementCount, rec.Slice(A), rec.Slice(B), rec.Slice(Y));

    /// <summary>y = a + b over <paramref name="count"/> floats (residual_add.comp).</summary>
    public static void Launch(CommandRecorder r, long count, BufferSlice a, BufferSlice b, BufferSlice y)
        => FlatGrid.Elementwise(r, "residual_add", count, ("a", Access.Read(a)), ("b", Access.Read(b)), ("y", Access.Write(y)));
}
