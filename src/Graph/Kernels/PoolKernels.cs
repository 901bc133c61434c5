using System.Runtime.InteropServices;
using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>Push constants of maxpool_forward.comp and maxpool_backward.comp (include/pool_shape.glsl).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct MaxPoolPush
{
    public uint Planes;
    public uint H;
    public uint W;
    public uint Ho;
    public uint Wo;
    public uint Kernel;
    public uint Stride;
    public uint Pad;
}

/// <summary>Push constants of global_avgpool_forward.comp and global_avgpool_backward.comp.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct GlobalAvgPoolPush
{
    public uint Count; // forward: N*C planes; backward: N*C*H*W elements
    public uint PlaneSize;
}

/// <summary>Square max pooling over NCHW (ResNet stem: kernel 3, stride 2, pad 1), PyTorch's floor output size.</summary>
public readonly record struct MaxPoolShape(NchwShape Input, int Kernel = 3, int Stride = 2, int Pad = 1)
{
    public int Ho => (Input.H + 2 * Pad - Kernel) / Stride + 1;
    public int Wo => (Input.W + 2 * Pad - Kernel) / Stride + 1;
    public NchwShape Output => new(Input.N, Input.C, Ho, Wo);

    public void Validate()
    {
        Input.Validate();
        // pad <= kernel / 2 (PyTorch's rule) keeps every window on at least one real pixel.
        if (Kernel <= 0 || Stride <= 0 || Pad < 0 || 2 * Pad > Kernel || Ho <= 0 || Wo <= 0)
            throw new ArgumentException($"max pool: invalid kernel {Kernel}, stride {Stride}, pad {Pad} for input {Input}.");
    }

    public override string ToString() => $"{Input} k{Kernel} s{Stride} p{Pad} -> {Output}";
}

/// <summary>
/// Max pooling (forward saves the argmax per output; backward gathers per input element, no atomics)
/// and global average pooling [N, C, H, W] -> [N, C].
/// </summary>
public static class PoolKernels
{
    /// <summary>y = window max, indices = in-plane index (ih * W + iw) of the first maximum, int32 shaped like y.</summary>
    public static void MaxForward(CommandRecorder r, MaxPoolShape s, BufferSlice x, BufferSlice y, BufferSlice indices)
    {
        const string op = "maxpool_forward";
        var push = Push(s, op);
        FlatGrid.Require(x, s.Input.Count, op, "x");
        FlatGrid.Require(y, s.Output.Count, op, "y");
        FlatGrid.Require(indices, s.Output.Count, op, "indices");
        var (gx, gy) = FlatGrid.Groups(s.Output.Count);
        r.Dispatch(op, [], [Access.Read(x), Access.Write(y), Access.Write(indices)], push, gx, gy, 1);
    }

    /// <summary>dx[i] = sum of dy over the windows whose saved argmax is i (fixed order).</summary>
    public static void MaxBackward(CommandRecorder r, MaxPoolShape s, BufferSlice dy, BufferSlice indices, BufferSlice dx)
    {
        const string op = "maxpool_backward";
        var push = Push(s, op);
        FlatGrid.Require(dy, s.Output.Count, op, "dy");
        FlatGrid.Require(indices, s.Output.Count, op, "indices");
        FlatGrid.Require(dx, s.Input.Count, op, "dx");
        var (gx, gy) = FlatGrid.Groups(s.Input.Count);
        r.Dispatch(op, [], [Access.Read(dy), Access.Read(indices), Access.Write(dx)], push, gx, gy, 1);
    }

    /// <summary>y[n, c] = mean of x[n, c, :, :].</summary>
    public static void GlobalAvgForward(CommandRecorder r, NchwShape s, BufferSlice x, BufferSlice y)
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

    /// <summary>dx[n, c, h, w] = dy[n, c] / (H * W).</summary>
    public static void GlobalAvgBackward(CommandRecorder r, NchwShape s, BufferSlice dy, BufferSlice dx)
    {
        const string op = "global_avgpool_backward";
        s.Validate();
        var push = new GlobalAvgPoolPush { Count = FlatGrid.Count(s.Count, op), PlaneSize = (uint)s.PlaneSize };
        FlatGrid.Require(dy, (long)s.N * s.C, op, "dy");
        FlatGrid.Require(dx, s.Count, op, "dx");
        var (gx, gy) = FlatGrid.GroupsFor4(s.Count);
        r.Dispatch(op, [], [Access.Read(dy), Access.Write(dx)], push, gx, gy, 1);
    }

    private static MaxPoolPush Push(MaxPoolShape s, string op)
    {
        s.Validate();
        FlatGrid.Count(s.Input.Count, op);
        return new MaxPoolPush
        {
            Planes = (uint)(s.Input.N * s.Input.C), H = (uint)s.Input.H, W = (uint)s.Input.W,
            Ho = (uint)s.Ho, Wo = (uint)s.Wo, Kernel = (uint)s.Kernel, Stride = (uint)s.Stride, Pad = (uint)s.Pad,
        };
    }
}
