using System.Runtime.InteropServices;
using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>Push constants of batchnorm_forward_train.comp and bn_add_relu_forward.comp.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct BatchNormTrainPush
{
    public uint Batch;
    public uint Channels;
    public uint PlaneSize;
    public float Eps;
    public float Momentum;
}

/// <summary>Push constants of batchnorm_forward_infer.comp.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct BatchNormInferPush
{
    public uint Count;
    public uint Channels;
    public uint PlaneSize;
    public float Eps;
}

/// <summary>Push constants of batchnorm_backward.comp and bn_add_relu_backward.comp.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct BatchNormBackwardPush
{
    public uint Batch;
    public uint Channels;
    public uint PlaneSize;
}

/// <summary>
/// Batch normalisation over NCHW float32 (PyTorch semantics: biased variance to normalise, unbiased
/// for the running variance, running = (1 - momentum) * running + momentum * batch), plus the fused
/// residual-block tail y = relu(bn(x) + residual). Training kernels run one workgroup per channel
/// with fixed-order reductions, so results are bit-identical run to run; see <see cref="PerChannelKernel"/>.
/// </summary>
public static class BatchNormKernels
{
    public const float DefaultEps = 1e-5f;
    public const float DefaultMomentum = 0.1f;

    /// <summary>
    /// Training forward: y, saved batch mean and 1/sqrt(var + eps) per channel, and the running
    /// statistics updated in place. gamma, beta, savedMean, savedInvStd, runningMean, runningVar are [C].
    /// </summary>
    public static void ForwardTrain(CommandRecorder r, NchwShape s, BufferSlice x, BufferSlice gamma, BufferSlice beta,
        BufferSlice y, BufferSlice savedMean, BufferSlice savedInvStd, BufferSlice runningMean, BufferSlice runningVar,
        float eps = DefaultEps, float momentum = DefaultMomentum)
    {
        const string op = "batchnorm_forward_train";
        var push = TrainPush(s, op, eps, momentum);
        RequireActivation(s, op, ("x", x), ("y", y));
        RequireChannels(s, op, ("gamma", gamma), ("beta", beta), ("savedMean", savedMean), ("savedInvStd", savedInvStd),
            ("runningMean", runningMean), ("runningVar", runningVar));
        RequireChannelWalk(r, s, op);
        r.Dispatch(PerChannelKernel(op, s), [], [
            Access.Read(x), Access.Read(gamma), Access.Read(beta), Access.Write(y),
            Access.Write(savedMean), Access.Write(savedInvStd), Access.ReadWrite(runningMean), Access.ReadWrite(runningVar),
        ], push, (uint)s.C, 1, 1);
    }

    /// <summary>Inference forward with running statistics: y = (x - rm) / sqrt(rv + eps) * gamma + beta.</summary>
    public static void ForwardInfer(CommandRecorder r, NchwShape s, BufferSlice x, BufferSlice gamma, BufferSlice beta,
        BufferSlice runningMean, BufferSlice runningVar, BufferSlice y, float eps = DefaultEps)
    {
        const string op = "batchnorm_forward_infer";
        s.Validate();
        var push = new BatchNormInferPush
        {
            Count = FlatGrid.Count(s.Count, op), Channels = (uint)s.C, PlaneSize = (uint)s.PlaneSize, Eps = eps,
        };
        FlatGrid.RequireTexels(x, s.Count, op, "x");
        RequireActivation(s, op, ("y", y));
        RequireChannels(s, op, ("gamma", gamma), ("beta", beta), ("runningMean", runningMean), ("runningVar", runningVar));
        var (gx, gy) = FlatGrid.GroupsFor4(s.Count);
        r.Dispatch(op, [], [
            Access.Read(x), Access.Read(gamma), Access.Read(beta), Access.Read(runningMean), Access.Read(runningVar), Access.Write(y),
        ], push, gx, gy, 1);
    }

    /// <summary>Backward from saved batch statistics: dx, and dgamma / dbeta overwritten (not accumulated).</summary>
    public static void Backward(CommandRecorder r, NchwShape s, BufferSlice dy, BufferSlice x, BufferSlice gamma,
        BufferSlice savedMean, BufferSlice savedInvStd, BufferSlice dx, BufferSlice dgamma, BufferSlice dbeta)
    {
        const string op = "batchnorm_backward";
        var push = BackwardPush(s, op);
        RequireActivation(s, op, ("dy", dy), ("x", x), ("dx", dx));
        RequireChannels(s, op, ("gamma", gamma), ("savedMean", savedMean), ("savedInvStd", savedInvStd),
            ("dgamma", dgamma), ("dbeta", dbeta));
        RequireChannelWalk(r, s, op);
        r.Dispatch(PerChannelKernel(op, s), [], [
            Access.Read(dy), Access.Read(x), Access.Read(gamma), Access.Read(savedMean), Access.Read(savedInvStd),
            Access.Write(dx), Access.Write(dgamma), Access.Write(dbeta),
        ], push, (uint)s.C, 1, 1);
    }

    /// <summary>
    /// Fused residual-block tail, training: y = relu(bn(x) + residual) with batch statistics of x,
    /// saving them and updating the running statistics like <see cref="ForwardTrain"/>.
    /// </summary>
    public static void ForwardTrainAddRelu(CommandRecorder r, NchwShape s, BufferSlice x, BufferSlice residual,
        BufferSlice gamma, BufferSlice beta, BufferSlice y, BufferSlice savedMean, BufferSlice savedInvStd,
        BufferSlice runningMean, BufferSlice runningVar, float eps = DefaultEps, float momentum = DefaultMomentum)
    {
        const string op = "bn_add_relu_forward";
        var push = TrainPush(s, op, eps, momentum);
        RequireActivation(s, op, ("x", x), ("residual", residual), ("y", y));
        RequireChannels(s, op, ("gamma", gamma), ("beta", beta), ("savedMean", savedMean), ("savedInvStd", savedInvStd),
            ("runningMean", runningMean), ("runningVar", runningVar));
        RequireChannelWalk(r, s, op);
        r.Dispatch(PerChannelKernel(op, s), [], [
            Access.Read(x), Access.Read(residual), Access.Read(gamma), Access.Read(beta), Access.Write(y),
            Access.Write(savedMean), Access.Write(savedInvStd), Access.ReadWrite(runningMean), Access.ReadWrite(runningVar),
        ], push, (uint)s.C, 1, 1);
    }

    /// <summary>
    /// Backward of <see cref="ForwardTrainAddRelu"/>: the ReLU mask comes from the forward output y;
    /// writes dx, dresidual (= masked dy), and overwrites dgamma / dbeta.
    /// </summary>
    public static void BackwardAddRelu(CommandRecorder r, NchwShape s, BufferSlice dy, BufferSlice y, BufferSlice x,
        BufferSlice gamma, BufferSlice savedMean, BufferSlice savedInvStd,
        BufferSlice dx, BufferSlice dresidual, BufferSlice dgamma, BufferSlice dbeta)
    {
        const string op = "bn_add_relu_backward";
        var push = BackwardPush(s, op);
        RequireActivation(s, op, ("dy", dy), ("y", y), ("x", x), ("dx", dx), ("dresidual", dresidual));
        RequireChannels(s, op, ("gamma", gamma), ("savedMean", savedMean), ("savedInvStd", savedInvStd),
            ("dgamma", dgamma), ("dbeta", dbeta));
        RequireChannelWalk(r, s, op);
        r.Dispatch(PerChannelKernel(op, s), [], [
            Access.Read(dy), Access.Read(y), Access.Read(x), Access.Read(gamma), Access.Read(savedMean), Access.Read(savedInvStd),
            Access.Write(dx), Access.Write(dresidual), Access.Write(dgamma), Access.Write(dbeta),
        ], push, (uint)s.C, 1, 1);
    }

    /// <summary>
    /// The per-channel kernels have a variant that moves one rgba32f texel (4 elements) per lane step;
    /// it needs every plane to start on a texel, i.e. H*W a multiple of 4 (all ResNet maps but 7x7).
    /// </summary>
    public static string PerChannelKernel(string op, NchwShape s) => s.PlaneSize % 4 == 0 ? op + "_vec4" : op;

    /// <summary>Each training kernel walks its channel twice (statistics, then apply), four elements a step in the vec4 variant.</summary>
    private static void RequireChannelWalk(CommandRecorder r, NchwShape s, string op) =>
        LoopBudget.RequireChannelWalk(r.DeviceKind, s, passes: 2, perStep: s.PlaneSize % 4 == 0 ? 4 : 1, op);

    private static BatchNormTrainPush TrainPush(NchwShape s, string op, float eps, float momentum)
    {
        s.Validate();
        FlatGrid.Count(s.Count, op);
        if (!(eps > 0) || !(momentum >= 0 && momentum <= 1))
            throw new ArgumentException($"{op}: eps must be > 0 and momentum in [0, 1], got eps={eps}, momentum={momentum}.");
        return new BatchNormTrainPush
        {
            Batch = (uint)s.N, Channels = (uint)s.C, PlaneSize = (uint)s.PlaneSize, Eps = eps, Momentum = momentum,
        };
    }

    private static BatchNormBackwardPush BackwardPush(NchwShape s, string op)
    {
        s.Validate();
        FlatGrid.Count(s.Count, op);
        return new BatchNormBackwardPush { Batch = (uint)s.N, Channels = (uint)s.C, PlaneSize = (uint)s.PlaneSize };
    }

    private static void RequireActivation(NchwShape s, string op, params (string Name, BufferSlice Slice)[] slices)
    {
        foreach (var (name, slice) in slices)
            FlatGrid.Require(slice, s.Count, op, name);
    }

    private static void RequireChannels(NchwShape s, string op, params (string Name, BufferSlice Slice)[] slices)
    {
        foreach (var (name, slice) in slices)
            FlatGrid.Require(slice, s.C, op, name);
    }
}
