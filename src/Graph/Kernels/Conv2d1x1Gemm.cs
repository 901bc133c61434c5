using VkResNet.Runtime;
using static VkResNet.Graph.Kernels.Conv2dFormArgs;

namespace VkResNet.Graph.Kernels;

/// <summary>
/// A 1x1 pad-0 conv on _cpu as a plain GEMM (conv2d_1x1_gemm_cpu): forward reads x at the stride; backward input
/// transposes w into scratch (conv2d_weight_flip) and writes dx at the stride, zeroing the stride positions that get
/// no gradient in the same pass. No tap bookkeeping and no bounds checks in the k loop. A tuner candidate beside
/// <see cref="Conv2dKernels.Forward"/> and <see cref="Conv2dKernels.BackwardInput"/>.
/// </summary>
public static class Conv2d1x1Gemm
{
    const string Form = "1x1 GEMM";
    const Conv2dFlags Transposed = (Conv2dFlags)16;   // CONV_TRANSPOSED in conv2d_1x1_gemm_cpu.comp

    /// <summary>1x1 kernel, no padding, any stride, on the _cpu variant.</summary>
    public static bool Applies(Conv2dShape s, KernelVariant variant) =>
        variant == KernelVariant.Cpu && s.KernelH == 1 && s.KernelW == 1 && s.PadH == 0 && s.PadW == 0;

    /// <summary>Bytes of the transposed weights that <see cref="BackwardInput"/> needs (<see cref="Forward"/> needs none).</summary>
    public static long ScratchBytes(Conv2dShape s) => AlignedBytes(s.WeightElements);

    /// <summary>y = [relu](conv(x, w) [+ bias] [+ residual]) [+ y], as <see cref="Conv2dKernels.Forward"/> (residual may be y).</summary>
    public static void Forward(CommandRecorder r, Conv2dShape s, BufferSlice x, BufferSlice w, BufferSlice? bias,
                               BufferSlice? residual, BufferSlice y, bool relu = false, bool accumulate = false, CpuBlock? block = null)
    {
        Check(r, s);
        Require(x, s.InputElements, "x", s, Form);
        Require(w, s.WeightElements, "w", s, Form);
        Require(y, s.OutputElements, "y", s, Form);
        if (bias is { } b) Require(b, s.Cout, "bias", s, Form);
        if (residual is { } res) Require(res, s.OutputElements, "residual", s, Form);
        var flags = (bias is null ? 0 : Conv2dFlags.Bias) | (residual is null ? 0 : Conv2dFlags.Residual)
                  | (relu ? Conv2dFlags.Relu : 0) | (accumulate ? Conv2dFlags.Accumulate : 0);
        Gemm(r, s, x, w, bias ?? x, residual ?? x, y, flags, rows: s.Cout, accumulate, srcVec4: s.StrideH == 1 && s.StrideW == 1 && s.H * s.W % 4 == 0,
             block ?? CpuBlock.Default);
    }

    /// <summary>dx = conv_transpose(dy, w) (or dx += with accumulate); scratch holds <see cref="ScratchBytes"/>.</summary>
    public static void BackwardInput(CommandRecorder r, Conv2dShape s, BufferSlice dy, BufferSlice w, BufferSlice dx,
                                     BufferSlice scratch, bool accumulate = false, CpuBlock? block = null)
    {
        Check(r, s);
        Require(dy, s.OutputElements, "dy", s, Form);
        Require(w, s.WeightElements, "w", s, Form);
        Require(dx, s.InputElements, "dx", s, Form);
        long bytes = ScratchBytes(s);
        RequireScratch(scratch, bytes, s, Form);
        // For a 1x1 kernel the flip is the transpose: wt[ci][co] = w[co][ci].
        var wt = scratch.Slice(0, bytes);
        r.Dispatch("conv2d_weight_flip", [], [Access.Read(w), Access.Write(wt)], new Conv2dPush(s, 0),
                   Conv2dKernels.Groups(s.WeightElements, 256), 1, 1);
        Gemm(r, s, dy, wt, dy, dy, dx, Transposed | (accumulate ? Conv2dFlags.Accumulate : 0), rows: s.Cin, accumulate, srcVec4: s.OutH * s.OutW % 4 == 0,
             block ?? CpuBlock.Default);
    }

    static void Check(CommandRecorder r, Conv2dShape s)
    {
        s.Validate();
        if (!Applies(s, KernelVariant.Cpu))   // texel-buffer loads: any device runs it (the tuner decides where it pays)
            throw new ArgumentException($"Conv2d {Form} {s}: needs a 1x1 kernel without padding on the _cpu variant ({r.Variant}).");
        RequireIndices(Math.Max(s.InputElements, s.OutputElements), s, Form);
        RequireColumns((long)s.N * s.OutH * s.OutW, s, Form);
    }

    // Absent bias/residual bind src as an unread placeholder; a and src are bound twice (scalar and rgba32f views).
    // srcVec4: src is read at stride 1 and its H*W % 4 == 0, so runs of 4 columns are 4 aligned floats of one image.
    static void Gemm(CommandRecorder r, Conv2dShape s, BufferSlice src, BufferSlice a, BufferSlice bias, BufferSlice residual,
                     BufferSlice dst, Conv2dFlags flags, int rows, bool accumulate, bool srcVec4, CpuBlock block)
    {
        // The vec4 column order takes runs of 4 columns per lane.
        if (block.PixelsPerLane % 4 != 0)
            throw new ArgumentException($"Conv2d {Form} {s}: block {block} needs a multiple of 4 columns per lane.");
        RequireBlock(block, r.Device.Info, s, Form);
        r.Dispatch(block.Kernel("conv2d_1x1_gemm_cpu"), block.With([SpecConstant.Bool(0, srcVec4)]),
                   [Access.Read(src), Access.Read(a), Access.Read(a), Access.Read(bias), Access.Read(residual), Conv2dKernels.Output(dst, accumulate),
                    Access.Read(src)],
                   new Conv2dPush(s, flags), Conv2dKernels.Groups(rows, block.Rows), Conv2dKernels.Groups((long)s.N * s.OutH * s.OutW, block.Columns), 1);
    }
}
