using System.Runtime.InteropServices;
using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>Push constants of batchnorm_stats.comp.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct BatchNormStatsPush
{
    public uint Batch;
    public uint Channels;
    public uint PlaneSize;
}

/// <summary>Push constants of batchnorm_apply.comp.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct BatchNormApplyPush
{
    public uint Batch;
    public uint Channels;
    public uint PlaneSize;
    public uint Count;
    public float Eps;
    public float Momentum;
}

/// <summary>Push constants of batchnorm_backward_apply.comp (batchnorm_backward_stats.comp takes <see cref="BatchNormStatsPush"/>).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct BatchNormBackwardApplyPush
{
    public uint Batch;
    public uint Channels;
    public uint PlaneSize;
    public uint Count;
}

/// <summary>
/// Batch norm's training forward split in two passes for SyncBatchNorm (statistics over the batches of every rank):
/// <see cref="Stats"/> sums this replica's shifted values per channel, the host all-reduces the [2C] sums, and
/// <see cref="Apply"/> normalises with them exactly as <see cref="BatchNormKernels.ForwardTrain"/> would with the
/// statistics of the ranks' batches together. One rank alone (count = N*H*W) gives BatchNormKernels.ForwardTrain's result.
/// The backward likewise: <see cref="BackwardStats"/> sums dy and dy * xhat (this rank's dbeta, dgamma), the host
/// all-reduces them, and <see cref="BackwardApply"/> computes dx from the all-ranks sums.
/// </summary>
public static class SyncBatchNormKernels
{
    /// <summary>stats[2c] = sum (x - shift[c]), stats[2c + 1] = sum (x - shift[c])^2 over this replica's N*H*W; shift is [C], stats [2C].</summary>
    public static void Stats(CommandRecorder r, NchwShape s, BufferSlice x, BufferSlice shift, BufferSlice stats)
    {
        const string op = "batchnorm_stats";
        s.Validate();
        FlatGrid.Count(s.Count, op);
        FlatGrid.Require(x, s.Count, op, "x");
        FlatGrid.Require(shift, s.C, op, "shift");
        FlatGrid.Require(stats, 2L * s.C, op, "stats");
        var push = new BatchNormStatsPush { Batch = (uint)s.N, Channels = (uint)s.C, PlaneSize = (uint)s.PlaneSize };
        LoopBudget.RequireChannelWalk(r.DeviceKind, s, passes: 1, perStep: 1, op); // one scalar walk of the channel
        r.Dispatch(op, [], [Access.Read(x), Access.Read(shift), Access.Write(stats)], push, (uint)s.C, 1, 1);
    }

    /// <summary>
    /// y, saved mean and invstd, and the running statistics updated, from <paramref name="stats"/> summed over the ranks
    /// (shifted by the running mean as it is before this pass) and <paramref name="count"/> = N*H*W of all ranks together.
    /// With <paramref name="residual"/>: y = relu(bn(x) + residual), the fused residual-block tail (bn_add_relu_apply).
    /// </summary>
    public static void Apply(CommandRecorder r, NchwShape s, long count, BufferSlice x, BufferSlice gamma, BufferSlice beta, BufferSlice stats,
        BufferSlice y, BufferSlice savedMean, BufferSlice savedInvStd, BufferSlice runningMean, BufferSlice runningVar,
        float eps = BatchNormKernels.DefaultEps, float momentum = BatchNormKernels.DefaultMomentum, BufferSlice? residual = null)
    {
        string op = residual is null ? "batchnorm_apply" : "bn_add_relu_apply";
        s.Validate();
        FlatGrid.Count(s.Count, op);
        RequireCount(s, count, op);
        if (!(eps > 0) || !(momentum >= 0 && momentum <= 1))
            throw new ArgumentException($"{op}: eps must be > 0 and momentum in [0, 1], got eps={eps}, momentum={momentum}.");
        foreach (var (name, slice) in new[] { ("x", x), ("y", y) }) FlatGrid.Require(slice, s.Count, op, name);
        foreach (var (name, slice) in new[] { ("gamma", gamma), ("beta", beta), ("savedMean", savedMean), ("savedInvStd", savedInvStd), ("runningMean", runningMean), ("runningVar", runningVar) })
            FlatGrid.Require(slice, s.C, op, name);
        FlatGrid.Require(stats, 2L * s.C, op, "stats");
        var push = new BatchNormApplyPush
        {
            Batch = (uint)s.N, Channels = (uint)s.C, PlaneSize = (uint)s.PlaneSize, Count = (uint)count, Eps = eps, Momentum = momentum,
        };
        if (residual is { } res) FlatGrid.Require(res, s.Count, op, "residual");
        Access[] bindings = [
            Access.Read(x), Access.Read(gamma), Access.Read(beta), Access.Read(stats), Access.Write(y),
            Access.Write(savedMean), Access.Write(savedInvStd), Access.ReadWrite(runningMean), Access.ReadWrite(runningVar),
        ];
        LoopBudget.RequireChannelWalk(r.DeviceKind, s, passes: 1, perStep: 1, op); // one scalar walk of the channel
        r.Dispatch(op, [], residual is { } rs ? [.. bindings, Access.Read(rs)] : bindings, push, (uint)s.C, 1, 1);
    }

    /// <summary>
    /// sums[2c] = sum g, sums[2c + 1] = sum g * xhat over this replica (xhat from the saved statistics), the same into dbeta and dgamma;
    /// g = dy, or with <paramref name="reluOutput"/> (y of the fused y = relu(bn(x) + residual)) g = dy * (y &gt; 0), also written to
    /// <paramref name="dresidual"/> (the dy that <see cref="BackwardApply"/> then takes).
    /// </summary>
    public static void BackwardStats(CommandRecorder r, NchwShape s, BufferSlice dy, BufferSlice x, BufferSlice savedMean, BufferSlice savedInvStd,
        BufferSlice sums, BufferSlice dgamma, BufferSlice dbeta, (BufferSlice Y, BufferSlice Dresidual)? reluOutput = null)
    {
        string op = reluOutput is null ? "batchnorm_backward_stats" : "bn_add_relu_backward_stats";
        s.Validate();
        FlatGrid.Count(s.Count, op);
        foreach (var (name, slice) in new[] { ("dy", dy), ("x", x) }) FlatGrid.Require(slice, s.Count, op, name);
        foreach (var (name, slice) in new[] { ("savedMean", savedMean), ("savedInvStd", savedInvStd), ("dgamma", dgamma), ("dbeta", dbeta) })
            FlatGrid.Require(slice, s.C, op, name);
        FlatGrid.Require(sums, 2L * s.C, op, "sums");
        var push = new BatchNormStatsPush { Batch = (uint)s.N, Channels = (uint)s.C, PlaneSize = (uint)s.PlaneSize };
        Access[] bindings = [
            Access.Read(dy), Access.Read(x), Access.Read(savedMean), Access.Read(savedInvStd), Access.Write(sums), Access.Write(dgamma), Access.Write(dbeta),
        ];
        if (reluOutput is { } relu)
        {
            FlatGrid.Require(relu.Y, s.Count, op, "y");
            FlatGrid.Require(relu.Dresidual, s.Count, op, "dresidual");
            bindings = [.. bindings, Access.Read(relu.Y), Access.Write(relu.Dresidual)];
        }
        LoopBudget.RequireChannelWalk(r.DeviceKind, s, passes: 1, perStep: 1, op); // one scalar walk of the channel
        r.Dispatch(op, [], bindings, push, (uint)s.C, 1, 1);
    }

    /// <summary>dx from <paramref name="sums"/> of <see cref="BackwardStats"/> summed over the ranks and <paramref name="count"/> = N*H*W of all ranks.</summary>
    public static void BackwardApply(CommandRecorder r, NchwShape s, long count, BufferSlice dy, BufferSlice x, BufferSlice gamma,
        BufferSlice savedMean, BufferSlice savedInvStd, BufferSlice sums, BufferSlice dx)
    {
        const string op = "batchnorm_backward_apply";
        s.Validate();
        FlatGrid.Count(s.Count, op);
        RequireCount(s, count, op);
        foreach (var (name, slice) in new[] { ("dy", dy), ("x", x), ("dx", dx) }) FlatGrid.Require(slice, s.Count, op, name);
        foreach (var (name, slice) in new[] { ("gamma", gamma), ("savedMean", savedMean), ("savedInvStd", savedInvStd) })
            FlatGrid.Require(slice, s.C, op, name);
        FlatGrid.Require(sums, 2L * s.C, op, "sums");
        var push = new BatchNormBackwardApplyPush { Batch = (uint)s.N, Channels = (uint)s.C, PlaneSize = (uint)s.PlaneSize, Count = (uint)count };
        LoopBudget.RequireChannelWalk(r.DeviceKind, s, passes: 1, perStep: 1, op); // one scalar walk of the channel
        r.Dispatch(op, [], [
            Access.Read(dy), Access.Read(x), Access.Read(gamma), Access.Read(savedMean), Access.Read(savedInvStd), Access.Read(sums), Access.Write(dx),
        ], push, (uint)s.C, 1, 1);
    }

    static void RequireCount(NchwShape s, long count, string op)
    {
        long local = (long)s.N * s.PlaneSize;
        if (count < local || count > uint.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"{op}: the elements per channel of all ranks, at least this rank's {local} and below 2^32.");
    }
}
