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

/// <summary>Push constants of the split kernels (batchnorm_slice*.comp, bn_add_relu_slice*.comp; include/batchnorm_slices.glsl).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct BatchNormSlicePush
{
    public uint Batch;
    public uint Channels;
    public uint PlaneSize;
    public uint Images;
    public uint Slices;
    public float Eps;
    public float Momentum;
}

/// <summary>
/// Batch normalisation over NCHW float32 (PyTorch semantics: biased variance to normalise, unbiased
/// for the running variance, running = (1 - momentum) * running + momentum * batch), plus the fused
/// residual-block tail y = relu(bn(x) + residual). Training kernels reduce in a fixed order, so results are
/// bit-identical run to run. Given scratch (<see cref="ScratchBytes"/>), a training launch is split over workgroups:
/// each channel's images in <see cref="Split"/> slices, a statistics dispatch of (C x slices) workgroups writing one
/// partial sum per slice, then an apply dispatch of as many that adds the partials in slice order. Without scratch,
/// or where one slice a channel suffices, one workgroup a channel walks the whole channel twice (<see cref="PerChannelKernel"/>).
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
        float eps = DefaultEps, float momentum = DefaultMomentum, BufferSlice? scratch = null, int targetGroups = 0)
    {
        const string op = "batchnorm_forward_train";
        var push = TrainPush(s, op, eps, momentum);
        RequireActivation(s, op, ("x", x), ("y", y));
        RequireChannels(s, op, ("gamma", gamma), ("beta", beta), ("savedMean", savedMean), ("savedInvStd", savedInvStd),
            ("runningMean", runningMean), ("runningVar", runningVar));
        if (Partials(r, s, scratch, ref targetGroups, op) is { } part)
        {
            SliceForward(r, s, part, x, null, gamma, beta, y, savedMean, savedInvStd, runningMean, runningVar, eps, momentum, targetGroups);
            return;
        }
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
        BufferSlice savedMean, BufferSlice savedInvStd, BufferSlice dx, BufferSlice dgamma, BufferSlice dbeta,
        BufferSlice? scratch = null, int targetGroups = 0)
    {
        const string op = "batchnorm_backward";
        var push = BackwardPush(s, op);
        RequireActivation(s, op, ("dy", dy), ("x", x), ("dx", dx));
        RequireChannels(s, op, ("gamma", gamma), ("savedMean", savedMean), ("savedInvStd", savedInvStd),
            ("dgamma", dgamma), ("dbeta", dbeta));
        if (Partials(r, s, scratch, ref targetGroups, op) is { } part)
        {
            SliceBackward(r, s, part, dy, null, null, x, gamma, savedMean, savedInvStd, dx, dgamma, dbeta, targetGroups);
            return;
        }
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
        BufferSlice runningMean, BufferSlice runningVar, float eps = DefaultEps, float momentum = DefaultMomentum,
        BufferSlice? scratch = null, int targetGroups = 0)
    {
        const string op = "bn_add_relu_forward";
        var push = TrainPush(s, op, eps, momentum);
        RequireActivation(s, op, ("x", x), ("residual", residual), ("y", y));
        RequireChannels(s, op, ("gamma", gamma), ("beta", beta), ("savedMean", savedMean), ("savedInvStd", savedInvStd),
            ("runningMean", runningMean), ("runningVar", runningVar));
        if (Partials(r, s, scratch, ref targetGroups, op) is { } part)
        {
            SliceForward(r, s, part, x, residual, gamma, beta, y, savedMean, savedInvStd, runningMean, runningVar, eps, momentum, targetGroups);
            return;
        }
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
        BufferSlice dx, BufferSlice dresidual, BufferSlice dgamma, BufferSlice dbeta,
        BufferSlice? scratch = null, int targetGroups = 0)
    {
        const string op = "bn_add_relu_backward";
        var push = BackwardPush(s, op);
        RequireActivation(s, op, ("dy", dy), ("y", y), ("x", x), ("dx", dx), ("dresidual", dresidual));
        RequireChannels(s, op, ("gamma", gamma), ("savedMean", savedMean), ("savedInvStd", savedInvStd),
            ("dgamma", dgamma), ("dbeta", dbeta));
        if (Partials(r, s, scratch, ref targetGroups, op) is { } part)
        {
            SliceBackward(r, s, part, dy, y, dresidual, x, gamma, savedMean, savedInvStd, dx, dgamma, dbeta, targetGroups);
            return;
        }
        RequireChannelWalk(r, s, op);
        r.Dispatch(PerChannelKernel(op, s), [], [
            Access.Read(dy), Access.Read(y), Access.Read(x), Access.Read(gamma), Access.Read(savedMean), Access.Read(savedInvStd),
            Access.Write(dx), Access.Write(dresidual), Access.Write(dgamma), Access.Write(dbeta),
        ], push, (uint)s.C, 1, 1);
    }

    /// <summary>
    /// Workgroups the split form aims for (0 as a launcher's targetGroups: this, for the recorder's variant). On a
    /// CPU-type device (_cpu) a few a core: ResNet-20's 16-channel layers split in two, wider ones not at all (measured
    /// on llvmpipe, 2 cores: 32 and 128 alike, 512 slower). On a GPU enough to fill its compute units where C
    /// workgroups would leave most idle; not measured (no GPU here).
    /// </summary>
    public static int TargetGroups(KernelVariant variant) => variant == KernelVariant.Cpu ? 32 : 512;

    /// <summary>
    /// Slices a channel's images are split into and the images a slice: enough slices for <paramref name="targetGroups"/>
    /// workgroups over C channels, at least one image each, and no slice longer than one walk may be on a CPU-type
    /// device (<see cref="LoopBudget"/>); at least two where the one-workgroup kernels' two walks would not fit, so a
    /// graph (which gives the split form its scratch) trains batches the one-workgroup kernels refuse. One slice means
    /// the one-workgroup-a-channel kernels.
    /// </summary>
    public static (int Slices, int Images) Split(NchwShape s, int targetGroups)
    {
        if (targetGroups < 1) throw new ArgumentOutOfRangeException(nameof(targetGroups), targetGroups, "at least 1 workgroup");
        int perStep = s.PlaneSize % 4 == 0 ? 4 : 1;
        long channel = (long)s.N * s.PlaneSize;
        long fit = Math.Max(1, LoopBudget.ChannelElementsThatFit(passes: 1, perStep) / s.PlaneSize); // images one walk may cover
        long wanted = Math.Clamp((targetGroups + (long)s.C - 1) / s.C, 1, s.N);
        if (channel > LoopBudget.ChannelElementsThatFit(passes: 2, perStep)) wanted = Math.Max(wanted, Math.Min(2, s.N));
        wanted = Math.Max(wanted, (s.N + fit - 1) / fit);
        int images = (int)((s.N + wanted - 1) / wanted);
        return ((s.N + images - 1) / images, images);
    }

    /// <summary>Scratch a split training launch needs (one (sum, sum) pair a channel and slice); 0: it is not split.</summary>
    public static long ScratchBytes(NchwShape s, int targetGroups)
    {
        var (slices, _) = Split(s, targetGroups);
        return slices == 1 ? 0 : (long)s.C * slices * 2 * sizeof(float);
    }

    /// <summary>The partials' slice of <paramref name="scratch"/> when the launch is split; null: one workgroup a channel.</summary>
    private static BufferSlice? Partials(CommandRecorder r, NchwShape s, BufferSlice? scratch, ref int targetGroups, string op)
    {
        if (targetGroups == 0) targetGroups = TargetGroups(r.Variant);
        long bytes = ScratchBytes(s, targetGroups);
        if (bytes == 0 || scratch is not { } sc) return null;
        if (sc.Size < bytes)
            throw new ArgumentException($"{op}: [{s.N}x{s.C}x{s.H}x{s.W}] in {Split(s, targetGroups).Slices} slices needs {bytes} bytes of scratch, got {sc.Size}.");
        return sc.Slice(0, bytes);
    }

    private static BatchNormSlicePush SlicePush(NchwShape s, int targetGroups, float eps = 0, float momentum = 0)
    {
        var (slices, images) = Split(s, targetGroups);
        return new BatchNormSlicePush
        {
            Batch = (uint)s.N, Channels = (uint)s.C, PlaneSize = (uint)s.PlaneSize, Images = (uint)images, Slices = (uint)slices,
            Eps = eps, Momentum = momentum,
        };
    }

    /// <summary>Split training forward: per-slice statistics, then apply (with a residual: the fused relu(bn(x) + residual)).</summary>
    private static void SliceForward(CommandRecorder r, NchwShape s, BufferSlice partials, BufferSlice x, BufferSlice? residual,
        BufferSlice gamma, BufferSlice beta, BufferSlice y, BufferSlice savedMean, BufferSlice savedInvStd,
        BufferSlice runningMean, BufferSlice runningVar, float eps, float momentum, int targetGroups)
    {
        var push = SlicePush(s, targetGroups, eps, momentum);
        r.Dispatch(PerChannelKernel("batchnorm_slice_stats", s), [], [Access.Read(x), Access.Write(partials)], push, (uint)s.C, push.Slices, 1);
        Access[] apply = [
            Access.Read(x), Access.Read(gamma), Access.Read(beta), Access.Read(partials), Access.Write(y),
            Access.Write(savedMean), Access.Write(savedInvStd), Access.ReadWrite(runningMean), Access.ReadWrite(runningVar),
        ];
        if (residual is { } res) apply = [.. apply, Access.Read(res)];
        r.Dispatch(PerChannelKernel(residual is null ? "batchnorm_slice_apply" : "bn_add_relu_slice_apply", s), [], apply, push, (uint)s.C, push.Slices, 1);
    }

    /// <summary>Split backward: per-slice sums (with y: dy masked by y &gt; 0, written to dresidual), then dx from dy (or dresidual).</summary>
    private static void SliceBackward(CommandRecorder r, NchwShape s, BufferSlice partials, BufferSlice dy, BufferSlice? y, BufferSlice? dresidual,
        BufferSlice x, BufferSlice gamma, BufferSlice savedMean, BufferSlice savedInvStd, BufferSlice dx, BufferSlice dgamma, BufferSlice dbeta,
        int targetGroups)
    {
        var push = SlicePush(s, targetGroups);
        Access[] stats = [Access.Read(dy), Access.Read(x), Access.Read(savedMean), Access.Read(savedInvStd), Access.Write(partials)];
        if (y is { } yv) stats = [.. stats, Access.Read(yv), Access.Write(dresidual!.Value)];
        r.Dispatch(PerChannelKernel(y is null ? "batchnorm_slice_backward_stats" : "bn_add_relu_slice_backward_stats", s), [], stats, push, (uint)s.C, push.Slices, 1);
        r.Dispatch(PerChannelKernel("batchnorm_slice_backward_apply", s), [], [
            Access.Read(y is null ? dy : dresidual!.Value), Access.Read(x), Access.Read(gamma), Access.Read(savedMean), Access.Read(savedInvStd),
            Access.Read(partials), Access.Write(dx), Access.Write(dgamma), Access.Write(dbeta),
        ], push, (uint)s.C, push.Slices, 1);
    }

    /// <summary>
    /// The per-channel kernels (one-workgroup and split) have a variant that moves one rgba32f texel (4 elements) per lane step;
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
