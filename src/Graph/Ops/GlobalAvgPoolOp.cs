using System.Runtime.InteropServices;
using VkResNet.Runtime;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Ops;

/// <summary>y[n, c] = mean of x[n, c, :, :]; x NCHW, y [N, C] (flattened, as torch.flatten(avgpool(x), 1)).</summary>
public sealed class GlobalAvgPoolOp : Op
{
    public GlobalAvgPoolOp(string name, Tensor x, Tensor y) : base(name)
    {
        X = Read(x);
        Y = Write(y);
        Require(x.Shape.Rank == 4 && y.Shape == OutputShape(x.Shape), "y must be [N, C]");
    }

    public override string Type => "GlobalAvgPool";
    public Tensor X { get; }
    public Tensor Y { get; }
    public static TensorShape OutputShape(TensorShape x) => new(x.N, x.C);
    public override long Flops => X.Shape.ElementCount;

    public override bool IsDifferentiable => true;
    public override void Backward(BackwardContext ctx) =>
        ctx.Unary(X, Y, (dy, dx) => new GlobalAvgPoolBackwardOp($"{Name}.backward", dy, dx));

    public override void Reference(ReferenceContext m)
    {
        var x = m[X]; var y = m[Y]; int hw = X.Shape.H * X.Shape.W;
        for (int p = 0; p < y.Length; p++) { double sum = 0; for (int k = 0; k < hw; k++) sum += x[p * hw + k]; y[p] = sum / hw; }
    }

    public override void Record(CommandRecorder rec) =>
        Launch(rec, Nchw(X), rec.Slice(X), rec.Slice(Y));

    /// <summary>y[n, c] = mean of x[n, c, :, :].</summary>
    public static void Launch(CommandRecorder r, NchwShape s, BufferSlice x, BufferSlice y)
    {
        const string op = "global_avgpool_forward";
        s.Validate();
        FlatGrid.Count(s.Count, op);
        var push = new GlobalAvgPoolPush { Count = (uint)(s.N * s.C), PlaneSize = (uint)s.PlaneSize };
        FlatGrid.Require(x, s.Count, op, "x");
        FlatGrid.Require(y, (long)s.N * s.C, op, "y");
        var (gx, gy) = FlatGrid.Groups((long)s.N * s.C);
        r.Dispatch(op, [], [Access.Read(x), Access.Write(y)], push, gx, gy, 1);
    }
}

/// <summary>dx[n, c, h, w] = dy[n, c] / (H*W).</summary>
public sealed class GlobalAvgPoolBackwardOp : Op
{
    public GlobalAvgPoolBackwardOp(string name, Tensor dy, Tensor dx) : base(name)
    {
        Dy = Read(dy);
        Dx = Write(dx);
    }

    public override string Type => "GlobalAvgPoolBackward";
    public Tensor Dy { get; }
    public Tensor Dx { get; }
    public override long Flops => Dx.Shape.ElementCount;

    public override void Reference(ReferenceContext m)
    {
        var dx = m[Dx]; var dy = m[Dy]; int hw = Dx.Shape.H * Dx.Shape.W;
        for (int i = 0; i < dx.Length; i++) dx[i] = dy[i / hw] / hw;
    }

    public override void Record(CommandRecorder rec) =>
        Launch(rec, Nchw(Dx), rec.Slice(Dy), rec.Slice(Dx));

    /// <summary>dx[n, c, h, w] = dy[n, c] / (H * W).</summary>
    public static void Launch(CommandRecorder r, NchwShape s, BufferSlice dy, BufferSlice dx)
    {
        const string op = "global_avgpool_backward";
        s.Validate();
        var push = new GlobalAvgPoolPush { Count = FlatGrid.Count(s.Count, op), PlaneSize = (uint)s.PlaneSize };
        FlatGrid.Require(dy, (long)s.N * s.C, op, "dy");
        FlatGrid.Require(dx, s.Count, op, "dx");
        var (gx, gy) = FlatGrid.GroupsFor4(s.Count);
        r.Dispatch(op, [], [Access.Read(dy), Access.Write(dx)], push, gx, gy, 1);
    }
}

/// <summary>Push constants of global_avgpool_forward.comp and global_avgpool_backward.comp.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct GlobalAvgPoolPush
{
    public uint Count; // forward: N*C planes; backward: N*C*H*W elements
    public uint PlaneSize;
}
