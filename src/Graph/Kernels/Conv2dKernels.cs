using System.Runtime.InteropServices;
using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>Mirror of the push-constant block in src/Shaders/include/conv2d_params.glsl (60 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Conv2dPush
{
    public int N, Cin, H, W, Cout, KernelH, KernelW, StrideH, StrideW, PadH, PadW, OutH, OutW;
    public uint Flags;
    public int SplitK;   // reduction length per split-K slice (backward weight, _gpu); 0 = no split

    public Conv2dPush(Conv2dShape s, Conv2dFlags flags, int splitK = 0)
    {
        N = s.N; Cin = s.Cin; H = s.H; W = s.W; Cout = s.Cout;
        KernelH = s.KernelH; KernelW = s.KernelW; StrideH = s.StrideH; StrideW = s.StrideW;
        PadH = s.PadH; PadW = s.PadW; OutH = s.OutH; OutW = s.OutW;
        Flags = (uint)flags;
        SplitK = splitK;
    }
}

/// <summary>Epilogue bits of the conv kernels, in the order the forward kernel applies them.</summary>
[Flags]
public enum Conv2dFlags : uint
{
    None = 0,
    Bias = 1,
    Residual = 2,
    Relu = 4,
    /// <summary>Add the result into the output instead of overwriting it (gradient of a tensor with two consumers).</summary>
    Accumulate = 8,
}

/// <summary>
/// Launchers of the conv2d kernels (implicit GEMM; see the .comp headers). Forward, backward-input and
/// backward-weight are one dispatch each; the bias gradient is a separate deterministic reduction.
/// The variant (_cpu: texel buffers and 8x8 register blocks, _gpu: shared-memory tiles) comes from the recorder.
/// On _cpu, 3x3 stride-1 pad-1 forward and backward-input convs can run as Winograd F(2x2,3x3) in three passes
/// (weight transform, input transform, GEMMs fused with the output transform) given scratch (<see cref="UsesWinograd"/>).
/// </summary>
public static class Conv2dKernels
{
    private const int CpuRows = 8, GpuRows = 64, Columns = 64;

    /// <summary>
    /// y = [relu](conv(x, w) [+ bias] [+ residual]) [+ y]. Absent bias/residual bind x as an unread placeholder.
    /// residual may be y itself: each element is read and written by the same invocation. With a scratch slice of
    /// <see cref="ScratchBytes"/>, a 3x3 stride-1 pad-1 conv on _cpu runs as Winograd F(2x2,3x3)
    /// (<see cref="UsesWinograd"/>; <paramref name="winograd"/> null: the VKRESNET_WINOGRAD default).
    /// </summary>
    public static void Forward(IDispatchRecorder r, Conv2dShape s, BufferSlice x, BufferSlice w, BufferSlice? bias,
                               BufferSlice? residual, BufferSlice y, bool relu = false, bool accumulate = false,
                               BufferSlice? scratch = null, bool? winograd = null)
    {
        s.Validate();
        Require(x, s.InputElements, "x", s);
        Require(w, s.WeightElements, "w", s);
        Require(y, s.OutputElements, "y", s);
        if (bias is { } b) Require(b, s.Cout, "bias", s);
        if (residual is { } res) Require(res, s.OutputElements, "residual", s);

        var flags = (bias is null ? 0 : Conv2dFlags.Bias) | (residual is null ? 0 : Conv2dFlags.Residual)
                  | (relu ? Conv2dFlags.Relu : 0) | (accumulate ? Conv2dFlags.Accumulate : 0);
        if (Conv2dFormDefaults.Forward(r, s, x, w, bias, residual, y, relu, accumulate)) return;   // 1x1 on _cpu, measured there
        if (UsesWinograd(s, r.Variant, winograd) && scratch is { } ws && ws.Size >= WinogradScratchBytes(s))
        {
            Winograd(r, s, x, w, bias, residual, y, flags, ws, flipWeights: false);
            return;
        }
        // _cpu also binds w a second time as rgba32f texels (binding 5, read when Cin*KH*KW % 4 == 0).
        ReadOnlySpan<Access> all =
        [
            Access.Read(x), Access.Read(w), Access.Read(bias ?? x), Access.Read(residual ?? x), Output(y, accumulate), Access.Read(w),
        ];
        var bindings = r.Variant == KernelVariant.Cpu ? all : all[..5];
        RequireColumns((long)s.N * s.OutH * s.OutW, s);
        var (gx, gy) = Grid(r, Groups((long)s.N * s.OutH * s.OutW, Columns), Groups(s.Cout, Rows(r)));
        r.Dispatch(Name("conv2d_forward", r), [], bindings, new Conv2dPush(s, flags), gx, gy, 1);
    }

    /// <summary>
    /// dx = conv_transpose(dy, w) (or dx += with accumulate). On _cpu, for stride 1, a scratch slice of
    /// <see cref="ScratchBytes"/> lets it run as the (faster) forward kernel over flipped, transposed weights;
    /// otherwise one implicit-GEMM pass per stride phase.
    /// </summary>
    public static void BackwardInput(IDispatchRecorder r, Conv2dShape s, BufferSlice dy, BufferSlice w, BufferSlice dx,
                                     BufferSlice? scratch = null, bool accumulate = false, bool? winograd = null)
    {
        s.Validate();
        Require(dy, s.OutputElements, "dy", s);
        Require(w, s.WeightElements, "w", s);
        Require(dx, s.InputElements, "dx", s);
        if (Conv2dFormDefaults.BackwardInput(r, s, dy, w, dx, scratch, accumulate)) return;   // strided on _cpu, measured there
        if (FlipsWeights(s, r.Variant) && scratch is { } wt && wt.Size >= s.WeightElements * sizeof(float))
        {
            var t = Transposed(s);
            if (UsesWinograd(t, r.Variant, winograd) && wt.Size >= WinogradScratchBytes(t))
            {
                // The weight transform reads w flipped and transposed itself: no flip pass.
                Winograd(r, t, dy, w, null, null, dx, accumulate ? Conv2dFlags.Accumulate : 0, wt, flipWeights: true);
                return;
            }
            r.Dispatch("conv2d_weight_flip", [], [Access.Read(w), Access.Write(wt)], new Conv2dPush(s, 0),
                       Groups(s.WeightElements, 256), 1, 1);
            Forward(r, t, dy, wt.Slice(0, AlignedBytes(s.WeightElements)), null, null, dx, accumulate: accumulate, winograd: false);
            return;
        }
        // One grid per stride phase (z); x covers the largest phase.
        long phaseColumns = (long)s.N * DivUp(s.H, s.StrideH) * DivUp(s.W, s.StrideW);
        RequireColumns(phaseColumns, s);
        var (gx, gy) = Grid(r, Groups(phaseColumns, Columns), Groups(s.Cin, Rows(r)));
        r.Dispatch(Name("conv2d_backward_input", r), [], [Access.Read(dy), Access.Read(w), Output(dx, accumulate)],
                   new Conv2dPush(s, accumulate ? Conv2dFlags.Accumulate : 0), gx, gy, (uint)(s.StrideH * s.StrideW));
    }

    // The stride-1 backward-input conv as a forward conv of dy with flipped, transposed weights.
    private static Conv2dShape Transposed(Conv2dShape s) =>
        new(s.N, s.Cout, s.OutH, s.OutW, s.Cin, s.KernelH, s.KernelW, 1, 1, s.KernelH - 1 - s.PadH, s.KernelW - 1 - s.PadW);

    /// <summary>VKRESNET_WINOGRAD: "0" never, "1" on every shape it applies to, unset: where it measured faster.</summary>
    public static bool? WinogradSetting { get; } = Environment.GetEnvironmentVariable("VKRESNET_WINOGRAD") switch
    {
        "0" => false,
        "1" => true,
        _ => null,
    };

    /// <summary>
    /// Whether a forward conv of this shape runs as Winograd F(2x2,3x3) (given scratch): _cpu, 3x3, stride 1, pad 1.
    /// <paramref name="winograd"/> true forces it on such shapes, false off; null follows <see cref="WinogradSetting"/>,
    /// whose default keeps it to the shapes where it measured faster on llvmpipe (see WinogradPays).
    /// </summary>
    public static bool UsesWinograd(Conv2dShape s, KernelVariant v, bool? winograd = null)
    {
        bool applies = v == KernelVariant.Cpu && s.KernelH == 3 && s.KernelW == 3
                       && s.StrideH == 1 && s.StrideW == 1 && s.PadH == 1 && s.PadW == 1;
        return applies && (winograd ?? WinogradSetting ?? WinogradPays(s));
    }

    // Measured (bench/README.md, Winograd section): 1.5-1.8x at 32-256 channels on 14x14 and larger maps; slower
    // with 16 channels (the input transform outweighs the GEMM), at 512 (a tile block's v outgrows the cache) and
    // on 7x7 maps (a 4x4 grid of 2x2 tiles wastes 31%, and one image fills a quarter of a 64-tile block).
    private static bool WinogradPays(Conv2dShape s) =>
        Math.Min(s.Cin, s.Cout) >= 32 && Math.Max(s.Cin, s.Cout) <= 256 && s.H >= 8 && s.W >= 8;

    // Scratch layout of the Winograd passes: u [16][Cout][Kp] | v [16][Cin][T], the second 256-byte aligned.
    private const long WinogradAlign = 256;
    private static long Align(long bytes) => (bytes + WinogradAlign - 1) & ~(WinogradAlign - 1);
    private static long WinogradTiles(Conv2dShape s) => (long)s.N * ((s.H + 1) / 2) * ((s.W + 1) / 2);
    private static (long U, long V) WinogradParts(Conv2dShape s)
    {
        long kp = (s.Cin + 3) & ~3;
        return (Align(16 * s.Cout * kp * sizeof(float)), Align(16 * s.Cin * WinogradTiles(s) * sizeof(float)));
    }
    private static long WinogradScratchBytes(Conv2dShape s)
    {
        var (u, v) = WinogradParts(s);
        return u + v;
    }

    // Three passes: weight transform (u), input transform (v), then the 16 GEMMs fused with the output transform
    // and epilogue (storing the GEMM results and transforming them in a fourth pass measured slower on llvmpipe).
    private static void Winograd(IDispatchRecorder r, Conv2dShape s, BufferSlice x, BufferSlice w, BufferSlice? bias,
                                 BufferSlice? residual, BufferSlice y, Conv2dFlags flags, BufferSlice scratch, bool flipWeights)
    {
        long tiles = WinogradTiles(s);
        RequireColumns(tiles, s);
        if (16 * tiles * s.Cin > int.MaxValue)
            throw new ArgumentException($"Conv2d {s}: Winograd scratch indices exceed 32 bits; split the batch.");
        var (ub, vb) = WinogradParts(s);
        BufferSlice u = scratch.Slice(0, ub), v = scratch.Slice(ub, vb);
        int kp = (s.Cin + 3) & ~3;
        r.Dispatch("winograd_weight_cpu", [], [Access.Read(w), Access.Write(u)], new Conv2dPush(s, flipWeights ? (Conv2dFlags)1 : 0),
                   Groups(kp, 64), (uint)s.Cout, 1);
        r.Dispatch("winograd_input_cpu", [], [Access.Read(x), Access.Write(v)], new Conv2dPush(s, 0), Groups(tiles, 64), (uint)s.Cin, 1);
        bool acc = (flags & Conv2dFlags.Accumulate) != 0;
        r.Dispatch("winograd_gemm_cpu", [], [Access.Read(u), Access.Read(v), Access.Read(bias ?? v), Access.Read(residual ?? v), Output(y, acc)],
                   new Conv2dPush(s, flags), Groups(s.Cout, CpuRows), Groups(tiles, Columns), 1);
    }

    // Stride 1 with padding below the kernel size is a plain convolution of dy (measured 1.2-1.7x faster on llvmpipe).
    private static bool FlipsWeights(Conv2dShape s, KernelVariant v) =>
        v == KernelVariant.Cpu && s.StrideH == 1 && s.StrideW == 1 && s.PadH < s.KernelH && s.PadW < s.KernelW;

    private static long AlignedBytes(long elements) => (elements * sizeof(float) + 15) & ~15L;

    /// <summary>
    /// dw = sum over batch and space of dy x im2col(x) (or dw += with accumulate). On the _gpu variant a scratch
    /// slice of <see cref="ScratchBytes"/> lets the long reduction run as split-K slices plus a fixed-order
    /// reduce (deterministic); without it (or on _cpu, where 2-16 cores are already busy) it is one pass.
    /// </summary>
    public static void BackwardWeight(IDispatchRecorder r, Conv2dShape s, BufferSlice dy, BufferSlice x, BufferSlice dw,
                                      BufferSlice? scratch = null, bool accumulate = false)
    {
        s.Validate();
        Require(dy, s.OutputElements, "dy", s);
        Require(x, s.InputElements, "x", s);
        Require(dw, s.WeightElements, "dw", s);
        var push = new Conv2dPush(s, accumulate ? Conv2dFlags.Accumulate : 0);
        uint gx = Groups(s.PatchSize, Columns), gy = Groups(s.Cout, Rows(r));
        if (r.Variant == KernelVariant.Cpu)
        {
            r.Dispatch("conv2d_backward_weight_cpu", [], [Access.Read(dy), Access.Read(x), Output(dw, accumulate)], push, gx, gy, 1);
            return;
        }
        var (slices, chunk) = SplitK(s);
        if (slices == 1 || scratch is not { } partial || partial.Size < ScratchBytes(s, r.Variant))
        {
            // binding 3 (the partials) is not read or written without a split; dw stands in.
            r.Dispatch("conv2d_backward_weight_gpu", [], [Access.Read(dy), Access.Read(x), Output(dw, accumulate), Output(dw, accumulate)],
                       push, gx, gy, 1);
            return;
        }
        push.SplitK = chunk;
        r.Dispatch("conv2d_backward_weight_gpu", [], [Access.Read(dy), Access.Read(x), Access.Read(dw), Access.Write(partial)],
                   push, gx, gy, (uint)slices);
        var reduce = new SplitKReducePush { Count = checked((int)s.WeightElements), Slices = slices, Flags = accumulate ? 8u : 0u };
        r.Dispatch("splitk_reduce", [], [Access.Read(partial), Output(dw, accumulate)], reduce, Groups(s.WeightElements, 256), 1, 1);
    }

    /// <summary>
    /// Scratch bytes that <see cref="Forward"/>, <see cref="BackwardInput"/> and <see cref="BackwardWeight"/> can use on this variant
    /// (0: none); one slice serves both, the recorder orders the reuse. Without it both still run, slower.
    /// </summary>
    public static long ScratchBytes(Conv2dShape s, KernelVariant variant, bool? winograd = null)
    {
        if (variant == KernelVariant.Cpu)
        {
            // Forward: Winograd alone; backward input: the flipped weights, or Winograd in the same slice.
            long forward = UsesWinograd(s, variant, winograd) ? WinogradScratchBytes(s) : 0;
            if (!FlipsWeights(s, variant)) return Math.Max(forward, Conv2dFormDefaults.ScratchBytes(s, variant));
            var t = Transposed(s);
            long backward = Math.Max(AlignedBytes(s.WeightElements), UsesWinograd(t, variant, winograd) ? WinogradScratchBytes(t) : 0);
            return Math.Max(forward, backward);
        }
        var (slices, _) = SplitK(s);
        return slices == 1 ? 0 : slices * s.WeightElements * sizeof(float);
    }

    // Enough slices to give a GPU ~256 workgroups, each summing at least 256 k (a multiple of the 16-deep tile).
    private static (int Slices, int Chunk) SplitK(Conv2dShape s)
    {
        long k = (long)s.N * s.OutH * s.OutW;
        long tiles = DivUp(s.PatchSize, Columns) * DivUp(s.Cout, GpuRows);
        long slices = Math.Min(Math.Min(DivUp(k, 256), DivUp(256, tiles)), 64);
        if (slices <= 1) return (1, 0);
        int chunk = (int)(DivUp(DivUp(k, slices), 16) * 16);
        return ((int)DivUp(k, chunk), chunk);
    }

    /// <summary>db[c] = sum over batch and space of dy[n, c] (or db += with accumulate).</summary>
    public static void BackwardBias(IDispatchRecorder r, Conv2dShape s, BufferSlice dy, BufferSlice db, bool accumulate = false)
    {
        s.Validate();
        Require(dy, s.OutputElements, "dy", s);
        Require(db, s.Cout, "db", s);
        BiasGradKernel.Record(r, s.N, s.Cout, s.OutH * s.OutW, dy, db, accumulate);
    }

    // The _cpu forward and backward-input grids put channel blocks on x, which a CPU device walks fastest:
    // back-to-back workgroups then share one pixel block's input in cache instead of streaming the whole
    // input once per channel block. The _gpu kernels keep pixel blocks on x.
    private static (uint X, uint Y) Grid(IDispatchRecorder r, uint columnGroups, uint rowGroups) =>
        r.Variant == KernelVariant.Cpu ? (rowGroups, columnGroups) : (columnGroups, rowGroups);

    internal static string Name(string op, IDispatchRecorder r) => op + (r.Variant == KernelVariant.Cpu ? "_cpu" : "_gpu");
    private static int Rows(IDispatchRecorder r) => r.Variant == KernelVariant.Cpu ? CpuRows : GpuRows;
    internal static Access Output(BufferSlice s, bool accumulate) => accumulate ? Access.ReadWrite(s) : Access.Write(s);
    // 65535 workgroups per dimension is what every Vulkan device guarantees.
    internal static uint Groups(long count, int per)
    {
        long groups = DivUp(count, per);
        if (groups > 65535)
            throw new ArgumentException($"{count} items in groups of {per} need {groups} workgroups, over the 65535 every device supports; split the batch.");
        return (uint)groups;
    }

    // The _cpu kernels split column indices with a float reciprocal (divmod in cpu_block.glsl), exact below 2^23.
    private const long MaxColumns = 1 << 23;

    private static void RequireColumns(long columns, Conv2dShape s)
    {
        if (columns >= MaxColumns)
            throw new ArgumentException($"Conv2d {s}: {columns} output columns exceed the kernels' {MaxColumns}; split the batch.");
    }
    private static long DivUp(long a, long b) => (a + b - 1) / b;

    private static void Require(BufferSlice slice, long elements, string name, Conv2dShape s)
    {
        if (slice.Size < elements * sizeof(float))
            throw new ArgumentException($"Conv2d {s}: {name} holds {slice.Size} bytes, needs {elements * sizeof(float)}");
    }
}
