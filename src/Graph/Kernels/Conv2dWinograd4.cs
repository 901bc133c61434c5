using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>
/// Winograd F(4x4,3x3) on _cpu for 3x3 stride-1 pad-1 convs (points 0, +-1, +-2; Lavin &amp; Gray), in four passes:
/// weight transform (winograd4_weight_cpu), input transform over 6x6 tiles (winograd4_input_cpu), 36 GEMMs
/// (winograd4_gemm_cpu, one per transform point, 8x8 register blocks) into m, then the output transform fused with
/// the epilogue (winograd4_output_cpu). A quarter of the direct form's multiplies (F(2x2,3x3): 44%); the transforms'
/// larger constants cost fp32 accuracy, which the kernel tests check against the CPU double reference.
/// Tuner candidates winograd_f4x4 (forward) and flip_winograd_f4x4 (stride-1 backward input, the weight transform
/// reading w flipped and transposed) in <see cref="ConvCandidates"/>.
/// </summary>
public static class Conv2dWinograd4
{
    const int Points = 36;

    /// <summary>
    /// The factor on <see cref="ConvTolerance.Atol"/> for these candidates. The transforms' constants (up to 5 in B^T,
    /// 8 in A^T: a corner output sums GEMM results times 64) scale each GEMM's fp32 rounding error; measured on the
    /// kernel tests' shapes up to 1.7x the direct forms' tolerance, on single elements (Lavin &amp; Gray's points 0, +-1, +-2).
    /// </summary>
    public const double ErrorScale = 4;
    const long Align = 256;

    /// <summary>
    /// 3x3, stride 1, pad 1 (any map size: partial last tiles are cut by the output transform), at least 4 reduced
    /// channels. Not below: as ResNet-20's 1-channel stem (raw images, all >= 0) its fp32 error, times the 1/sigma of the
    /// batch norm after it, put PyTorchStepTests' grad.conv1.weight 1-4% off PyTorch on two output channels
    /// (with F(4x4) on the 16-channel layers only, that test passes).
    /// </summary>
    public static bool Applies(Conv2dShape s) => Conv2dKernels.WinogradApplies(s) && s.Cin >= 4;

    static long AlignUp(long bytes) => (bytes + Align - 1) & ~(Align - 1);
    static long Tiles(Conv2dShape s) => (long)s.N * ((s.H + 3) / 4) * ((s.W + 3) / 4);
    static int Kp(Conv2dShape s) => (s.Cin + 3) & ~3;

    // Scratch: u [36][Cout][Kp] | v [36][Cin][T] | m [36][Cout][T], each part 256-byte aligned.
    static (long U, long V, long M) Parts(Conv2dShape s)
    {
        long t = Tiles(s);
        return (AlignUp(Points * (long)s.Cout * Kp(s) * sizeof(float)), AlignUp(Points * (long)s.Cin * t * sizeof(float)),
                AlignUp(Points * (long)s.Cout * t * sizeof(float)));
    }

    /// <summary>Scratch bytes of the forward passes for <paramref name="s"/>.</summary>
    public static long ScratchBytes(Conv2dShape s)
    {
        var (u, v, m) = Parts(s);
        return u + v + m;
    }

    /// <summary>Scratch bytes of the stride-1 backward input (the forward of dy over the transposed shape).</summary>
    public static long BackwardInputScratchBytes(Conv2dShape s) => ScratchBytes(Conv2dKernels.Transposed(s));

    /// <summary>Stride-1 backward input as F(4x4,3x3) over dy (<see cref="Conv2dKernels.FlipApplies"/> and 3x3 pad 1).</summary>
    public static bool BackwardInputApplies(Conv2dShape s) => Conv2dKernels.FlipApplies(s) && Applies(Conv2dKernels.Transposed(s));

    internal static void Forward(CommandRecorder r, Conv2dShape s, ConvOperands o, Conv2dFlags flags) =>
        Record(r, s, o.A, o.B, (flags & Conv2dFlags.Bias) != 0 ? o.Bias : null, (flags & Conv2dFlags.Residual) != 0 ? o.Residual : null,
               o.Out, flags, o.Scratch!.Value, flipWeights: false);

    internal static void BackwardInput(CommandRecorder r, Conv2dShape s, ConvOperands o, Conv2dFlags flags) =>
        Record(r, Conv2dKernels.Transposed(s), o.A, o.B, null, null, o.Out, flags & Conv2dFlags.Accumulate, o.Scratch!.Value, flipWeights: true);

    static void Record(CommandRecorder r, Conv2dShape s, BufferSlice x, BufferSlice w, BufferSlice? bias, BufferSlice? residual,
                       BufferSlice y, Conv2dFlags flags, BufferSlice scratch, bool flipWeights)
    {
        long tiles = Tiles(s);
        // The kernels split tile indices with a float reciprocal (cpu_block.glsl divmod), exact below 2^23.
        if (tiles >= 1 << 23)
            throw new ArgumentException($"Conv2d {s}: {tiles} Winograd F(4x4) tiles exceed the kernels' {1 << 23}; split the batch.");
        if (Points * tiles * Math.Max(s.Cin, s.Cout) > int.MaxValue)
            throw new ArgumentException($"Conv2d {s}: Winograd F(4x4) scratch indices exceed 32 bits; split the batch.");
        var (ub, vb, mb) = Parts(s);
        BufferSlice u = scratch.Slice(0, ub), v = scratch.Slice(ub, vb), m = scratch.Slice(ub + vb, mb);
        r.Dispatch("winograd4_weight_cpu", [], [Access.Read(w), Access.Write(u)], new Conv2dPush(s, flipWeights ? (Conv2dFlags)1 : 0),
                   Conv2dKernels.Groups(Kp(s), 64), (uint)s.Cout, 1);
        r.Dispatch("winograd4_input_cpu", [], [Access.Read(x), Access.Write(v)], new Conv2dPush(s, 0), Conv2dKernels.Groups(tiles, 64), (uint)s.Cin, 1);
        r.Dispatch("winograd4_gemm_cpu", [], [Access.Read(u), Access.Read(v), Access.Write(m)], new Conv2dPush(s, 0),
                   Conv2dKernels.Groups(s.Cout, 8), Conv2dKernels.Groups(tiles, 64), Points);
        bool acc = (flags & Conv2dFlags.Accumulate) != 0;
        r.Dispatch("winograd4_output_cpu", [], [Access.Read(m), Access.Read(bias ?? m), Access.Read(residual ?? m), Conv2dKernels.Output(y, acc)],
                   new Conv2dPush(s, flags), Conv2dKernels.Groups(tiles, 64), (uint)s.Cout, 1);
    }
}
