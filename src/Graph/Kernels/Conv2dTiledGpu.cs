using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>Which subgroup size a _gpu tile candidate is written for, of those the device reports.</summary>
public enum SubgroupPick { Reported, Min, Max }

/// <summary>
/// One register-blocked shared-memory tile set of the _gpu forms: gemm_tile_gpu.glsl's specialization constants
/// (a TM x TN tile per workgroup, RM x RN outputs per invocation, K staged 16 deep). <see cref="Default"/> is the fixed rules' form.
/// </summary>
public readonly record struct GpuTile(int TM, int TN, int RM, int RN)
{
    public const int TK = 16;
    public static readonly GpuTile Default = new(64, 64, 4, 4);
    /// <summary>Small grids (few channels, small maps): 64 invocations, 4x4 each.</summary>
    public static readonly GpuTile Small = new(32, 32, 4, 4);
    /// <summary>Many channels: 128 rows by 64 columns, 8x4 each.</summary>
    public static readonly GpuTile Tall = new(128, 64, 8, 4);
    /// <summary>Large GEMMs: 128x128, 8x8 each (the most register reuse).</summary>
    public static readonly GpuTile Large = new(128, 128, 8, 8);

    public int Invocations => TM / RM * (TN / RN);
    public long SharedBytes => sizeof(float) * (long)TK * (TM + 1 + TN);
    public override string ToString() => $"t{TM}x{TN}_r{RM}x{RN}";

    /// <summary>The staging loops' divisibility (each invocation stages one fixed B column, whole rows of A and B).</summary>
    public bool Valid => TM % RM == 0 && TN % RN == 0 && Invocations % TK == 0 && Invocations % TN == 0
                         && TM * TK % Invocations == 0 && TK * TN % Invocations == 0;

    /// <summary>
    /// The subgroup size this set runs at on the device (0: the pick is not distinct there, so the candidate does not apply),
    /// the reported size always; Min/Max only where they differ from it and the pipeline may require them.
    /// </summary>
    public uint Subgroup(DeviceInfo d, SubgroupPick pick) => pick switch
    {
        SubgroupPick.Reported => d.SubgroupSize,
        SubgroupPick.Min => d.MinSubgroupSize < d.SubgroupSize && d.CanRequireSubgroupSize(d.MinSubgroupSize, (uint)Invocations) ? d.MinSubgroupSize : 0,
        _ => d.MaxSubgroupSize > d.SubgroupSize && d.CanRequireSubgroupSize(d.MaxSubgroupSize, (uint)Invocations) ? d.MaxSubgroupSize : 0,
    };

    /// <summary>
    /// Whether the set fits the device: the workgroup within maxComputeWorkGroupInvocations and maxComputeWorkGroupSize.x,
    /// the tiles within maxComputeSharedMemorySize, and the workgroup a whole number of subgroups of the size it is written for.
    /// </summary>
    public bool Fits(DeviceInfo d, SubgroupPick pick)
    {
        uint sg = Subgroup(d, pick);
        return Valid && sg != 0 && Invocations <= d.MaxWorkgroupInvocations && Invocations <= d.MaxWorkgroupSize[0]
               && SharedBytes <= d.MaxSharedMemoryBytes && Invocations % sg == 0;
    }

    /// <summary>The specialization constants of this set at subgroup size <paramref name="subgroup"/> (0: the driver picks).</summary>
    public SpecConstant[] Spec(uint subgroup) =>
    [
        SpecConstant.Int(0, Invocations), SpecConstant.Int(1, TM), SpecConstant.Int(2, TN), SpecConstant.Int(3, RM), SpecConstant.Int(4, RN),
        new(SpecConstant.SubgroupSizeId, subgroup),
    ];
}

/// <summary>
/// Launchers of the _gpu conv forms (conv2d_forward_gpu, conv2d_backward_input_gpu, conv2d_backward_weight_gpu) at any
/// <see cref="GpuTile"/>, one pass or split-K: slices of the long reduction into scratch, then a fixed-order reduce
/// (splitk_reduce; the forward's conv2d_splitk_epilogue_gpu adds the epilogue), so the result is deterministic.
/// </summary>
public static class Conv2dTiledGpu
{
    // The fixed rules' _gpu forms: the default tile, no subgroup request (the pipelines they always compiled).
    static readonly SpecConstant[] DefaultSpec = [];

    static SpecConstant[] SpecFor(CommandRecorder r, GpuTile tile, SubgroupPick? pick) =>
        pick is { } p ? tile.Spec(tile.Subgroup(r.Device.Info, p)) : DefaultSpec;

    /// <summary>A tuner candidate of this form (a row of <see cref="ConvCandidates.All"/>).</summary>
    public static ConvCandidate Candidate(string name, ConvDirection d, GpuTile tile, SubgroupPick pick = SubgroupPick.Reported, bool splitK = false)
    {
        string algorithm = $"implicit GEMM{(d == ConvDirection.BackwardInput ? " per stride phase" : "")}, {tile.TM}x{tile.TN} shared-memory tiles, "
                         + $"{tile.RM}x{tile.RN} per invocation, the {pick.ToString().ToLowerInvariant()} subgroup size"
                         + (splitK ? ", split-K slices plus a fixed-order reduce" : "");
        return new(name, d, algorithm, (s, device) => Applies(d, s, device, tile, pick, splitK), s => ScratchBytes(d, s, tile, splitK), d switch
        {
            ConvDirection.Forward => (r, s, o, f) => Forward(r, s, o, f, tile, pick, splitK),
            ConvDirection.BackwardInput => (r, s, o, f) => BackwardInput(r, s, o, f, tile, pick, splitK),
            _ => (r, s, o, f) => BackwardWeight(r, s, o, f, tile, pick, splitK),
        }) { Family = KernelVariant.Gpu };
    }

    /// <summary>The forms a candidate applies where: the tile fits the device and split-K, when asked, has slices to split.</summary>
    public static bool Applies(ConvDirection d, Conv2dShape s, DeviceInfo device, GpuTile tile, SubgroupPick pick, bool splitK) =>
        tile.Fits(device, pick) && (!splitK || Split(d, s, tile) is { Slices: > 1 } k && k.Slices * OutElements(d, s) < int.MaxValue);

    /// <summary>Scratch of the split-K form: one partial result per slice (0 in one pass).</summary>
    public static long ScratchBytes(ConvDirection d, Conv2dShape s, GpuTile tile, bool splitK)
    {
        if (!splitK) return 0;
        var (slices, _) = Split(d, s, tile);
        return slices == 1 ? 0 : slices * OutElements(d, s) * sizeof(float);
    }

    static long OutElements(ConvDirection d, Conv2dShape s) => d switch
    {
        ConvDirection.Forward => s.OutputElements,
        ConvDirection.BackwardInput => s.InputElements,
        _ => s.WeightElements,
    };

    // The reduction length (the largest phase's for backward input) and the tile grid of one slice.
    static (long K, long Tiles) Extent(ConvDirection d, Conv2dShape s, GpuTile t) => d switch
    {
        ConvDirection.Forward => (s.PatchSize, DivUp((long)s.N * s.OutH * s.OutW, t.TN) * DivUp(s.Cout, t.TM)),
        ConvDirection.BackwardInput => ((long)s.Cout * DivUp(s.KernelH, s.StrideH) * DivUp(s.KernelW, s.StrideW),
                                        DivUp((long)s.N * DivUp(s.H, s.StrideH) * DivUp(s.W, s.StrideW), t.TN) * DivUp(s.Cin, t.TM) * s.StrideH * s.StrideW),
        _ => ((long)s.N * s.OutH * s.OutW, DivUp(s.PatchSize, t.TN) * DivUp(s.Cout, t.TM)),
    };

    /// <summary>Enough slices to give a GPU ~256 workgroups, each summing at least 256 k (a multiple of the 16-deep tile), at most 64.</summary>
    public static (int Slices, int Chunk) Split(ConvDirection d, Conv2dShape s, GpuTile tile)
    {
        var (k, tiles) = Extent(d, s, tile);
        long slices = Math.Min(Math.Min(DivUp(k, 256), DivUp(256, tiles)), 64);
        if (slices <= 1) return (1, 0);
        int chunk = (int)(DivUp(DivUp(k, slices), GpuTile.TK) * GpuTile.TK);
        return ((int)DivUp(k, chunk), chunk);
    }

    /// <summary>y = [relu](conv(x, w) [+ bias] [+ residual]) [+ y]; <paramref name="pick"/> null: the fixed rules' pipeline.</summary>
    public static void Forward(CommandRecorder r, Conv2dShape s, ConvOperands o, Conv2dFlags flags, GpuTile tile, SubgroupPick? pick, bool splitK)
    {
        bool acc = (flags & Conv2dFlags.Accumulate) != 0;
        var (slices, chunk) = splitK ? Split(ConvDirection.Forward, s, tile) : (1, 0);
        var bias = Conv2dKernels.Bound(o.Bias, flags, Conv2dFlags.Bias, o.A);
        var residual = Conv2dKernels.Bound(o.Residual, flags, Conv2dFlags.Residual, o.A);
        uint gx = Conv2dKernels.Groups((long)s.N * s.OutH * s.OutW, tile.TN), gy = Conv2dKernels.Groups(s.Cout, tile.TM);
        var spec = SpecFor(r, tile, pick);
        if (slices == 1)
        {
            // One pass: the partial binding (unused) is y again.
            r.Dispatch("conv2d_forward_gpu", spec,
                       [Access.Read(o.A), Access.Read(o.B), Access.Read(bias), Access.Read(residual), Conv2dKernels.Output(o.Out, acc), Conv2dKernels.Output(o.Out, acc)],
                       new Conv2dPush(s, flags), gx, gy, 1);
            return;
        }
        var partial = o.Scratch!.Value;
        r.Dispatch("conv2d_forward_gpu", spec,
                   [Access.Read(o.A), Access.Read(o.B), Access.Read(bias), Access.Read(residual), Access.Read(o.Out), Access.Write(partial)],
                   new Conv2dPush(s, flags, chunk), gx, gy, (uint)slices);
        r.Dispatch("conv2d_splitk_epilogue_gpu", [], [Access.Read(partial), Access.Read(bias), Access.Read(residual), Conv2dKernels.Output(o.Out, acc)],
                   new Conv2dPush(s, flags, slices), Conv2dKernels.Groups(s.OutputElements, 256), 1, 1);
    }

    /// <summary>dx = conv_transpose(dy, w) [+ dx], one grid per stride phase (z), each split into slices with split-K.</summary>
    public static void BackwardInput(CommandRecorder r, Conv2dShape s, ConvOperands o, Conv2dFlags flags, GpuTile tile, SubgroupPick? pick, bool splitK)
    {
        bool acc = (flags & Conv2dFlags.Accumulate) != 0;
        var (slices, chunk) = splitK ? Split(ConvDirection.BackwardInput, s, tile) : (1, 0);
        long phaseColumns = (long)s.N * DivUp(s.H, s.StrideH) * DivUp(s.W, s.StrideW);
        uint gx = Conv2dKernels.Groups(phaseColumns, tile.TN), gy = Conv2dKernels.Groups(s.Cin, tile.TM);
        uint phases = (uint)(s.StrideH * s.StrideW);
        var push = new Conv2dPush(s, acc ? Conv2dFlags.Accumulate : 0, slices == 1 ? 0 : chunk);
        var spec = SpecFor(r, tile, pick);
        if (slices == 1)
        {
            r.Dispatch("conv2d_backward_input_gpu", spec, [Access.Read(o.A), Access.Read(o.B), Conv2dKernels.Output(o.Out, acc), Conv2dKernels.Output(o.Out, acc)],
                       push, gx, gy, phases);
            return;
        }
        var partial = o.Scratch!.Value;
        r.Dispatch("conv2d_backward_input_gpu", spec, [Access.Read(o.A), Access.Read(o.B), Access.Read(o.Out), Access.Write(partial)],
                   push, gx, gy, phases * (uint)slices);
        Reduce(r, partial, o.Out, s.InputElements, slices, acc);
    }

    /// <summary>dw = sum over batch and space of dy x im2col(x) [+ dw], in one pass or split-K.</summary>
    public static void BackwardWeight(CommandRecorder r, Conv2dShape s, ConvOperands o, Conv2dFlags flags, GpuTile tile, SubgroupPick? pick, bool splitK)
    {
        bool acc = (flags & Conv2dFlags.Accumulate) != 0;
        var (slices, chunk) = splitK ? Split(ConvDirection.BackwardWeight, s, tile) : (1, 0);
        uint gx = Conv2dKernels.Groups(s.PatchSize, tile.TN), gy = Conv2dKernels.Groups(s.Cout, tile.TM);
        var push = new Conv2dPush(s, acc ? Conv2dFlags.Accumulate : 0, slices == 1 ? 0 : chunk);
        var spec = SpecFor(r, tile, pick);
        if (slices == 1)
        {
            r.Dispatch("conv2d_backward_weight_gpu", spec, [Access.Read(o.A), Access.Read(o.B), Conv2dKernels.Output(o.Out, acc), Conv2dKernels.Output(o.Out, acc)],
                       push, gx, gy, 1);
            return;
        }
        var partial = o.Scratch!.Value;
        r.Dispatch("conv2d_backward_weight_gpu", spec, [Access.Read(o.A), Access.Read(o.B), Access.Read(o.Out), Access.Write(partial)],
                   push, gx, gy, (uint)slices);
        Reduce(r, partial, o.Out, s.WeightElements, slices, acc);
    }

    static void Reduce(CommandRecorder r, BufferSlice partial, BufferSlice output, long count, int slices, bool acc)
    {
        var reduce = new SplitKReducePush { Count = checked((int)count), Slices = slices, Flags = acc ? 8u : 0u };
        r.Dispatch("splitk_reduce", [], [Access.Read(partial), Conv2dKernels.Output(output, acc)], reduce, Conv2dKernels.Groups(count, 256), 1, 1);
    }

    static long DivUp(long a, long b) => (a + b - 1) / b;
}
