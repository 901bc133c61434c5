using VkResNet.Runtime;
using static VkResNet.Graph.Kernels.Conv2dFormArgs;

namespace VkResNet.Graph.Kernels;

/// <summary>
/// Backward input of a strided conv on _cpu as one forward-style implicit GEMM per stride phase
/// (conv2d_backward_input_phase_cpu): the weights of each phase are first arranged into GEMM rows padded to 4 taps
/// (conv2d_weight_phases_cpu, into scratch) so the k loop is one flattened loop with vec4 weight loads, as in the
/// forward kernel; phases without taps store zeros and run no k loop. A tuner candidate beside
/// <see cref="Conv2dKernels.BackwardInput"/>; correct at any stride, written for stride 2 and up.
/// </summary>
public static class Conv2dPhaseBackwardInput
{
    const string Form = "phase backward-input";

    /// <summary>
    /// The _cpu variant, any shape whose phase weight blocks index below 2^23 (the arrangement splits indices by float
    /// reciprocal). The phase split is trivial at stride 1, where the weight-flip path is the default.
    /// </summary>
    public static bool Applies(Conv2dShape s, KernelVariant variant) =>
        variant == KernelVariant.Cpu && (long)s.Cin * LongestRow(s) < 1 << 23;

    /// <summary>Bytes of the per-phase weight blocks (conv2d_phase_weights.glsl): Cin rows of roundup(Cout*khp*kwp, 4) per phase.</summary>
    public static long ScratchBytes(Conv2dShape s)
    {
        long floats = 0;
        for (int z = 0; z < s.StrideH * s.StrideW; z++) floats += (long)s.Cin * RowLength(s, z);
        return AlignedBytes(floats);
    }

    /// <summary>dx = conv_transpose(dy, w) (or dx += with accumulate); scratch holds <see cref="ScratchBytes"/>.</summary>
    public static void BackwardInput(CommandRecorder r, Conv2dShape s, BufferSlice dy, BufferSlice w, BufferSlice dx,
                                     BufferSlice scratch, bool accumulate = false, CpuBlock? block = null)
    {
        s.Validate();
        RequireBlock(block ?? CpuBlock.Default, r.Device.Info, s, Form);
        if (!Applies(s, KernelVariant.Cpu))   // texel-buffer loads: any device runs it (the tuner decides where it pays)
            throw new ArgumentException($"Conv2d {Form} {s}: runs on the _cpu variant ({r.Variant}) with Cin x the longest phase row below 2^23.");
        Require(dy, s.OutputElements, "dy", s, Form);
        Require(w, s.WeightElements, "w", s, Form);
        Require(dx, s.InputElements, "dx", s, Form);
        long bytes = ScratchBytes(s);
        RequireScratch(scratch, bytes, s, Form);
        RequireIndices(Math.Max(s.InputElements, s.OutputElements), s, Form);
        long phaseColumns = (long)s.N * DivUp(s.H, s.StrideH) * DivUp(s.W, s.StrideW);
        RequireColumns(phaseColumns, s, Form);

        int phases = s.StrideH * s.StrideW;
        var wp = scratch.Slice(0, bytes);
        var push = new Conv2dPush(s, accumulate ? Conv2dFlags.Accumulate : 0);
        r.Dispatch("conv2d_weight_phases_cpu", [], [Access.Read(w), Access.Write(wp)], push,
                   Conv2dKernels.Groups((long)s.Cin * LongestRow(s), 256), 1, (uint)phases);
        var b = block ?? CpuBlock.Default;
        r.Dispatch(b.Kernel("conv2d_backward_input_phase_cpu"), b.With([]), [Access.Read(dy), Access.Read(wp), Conv2dKernels.Output(dx, accumulate)], push,
                   Conv2dKernels.Groups(s.Cin, b.Rows), Conv2dKernels.Groups(phaseColumns, b.Columns), (uint)phases);
    }

    static int LongestRow(Conv2dShape s) => Enumerable.Range(0, s.StrideH * s.StrideW).Max(z => RowLength(s, z));

    // Taps of phase z = ry*SW + rx (conv2d_phase.glsl): kernel rows ry, ry+SH, ... and columns rx, rx+SW, ...; rows padded to 4.
    static int RowLength(Conv2dShape s, int z)
    {
        int ry = z / s.StrideW, rx = z % s.StrideW;
        int khp = ry < s.KernelH ? (int)DivUp(s.KernelH - ry, s.StrideH) : 0;
        int kwp = rx < s.KernelW ? (int)DivUp(s.KernelW - rx, s.StrideW) : 0;
        return (s.Cout * khp * kwp + 3) & ~3;
    }
}
