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
/// backward-weight each have several forms, registered as candidates in <see cref="ConvCandidates"/>; a graph
/// records the one its tuner chose (<see cref="Record"/>), while <see cref="Forward"/>, <see cref="BackwardInput"/>
/// and <see cref="BackwardWeight"/> apply today's fixed rules (<see cref="ConvCandidates.Rules"/>): the _cpu forms
/// (texel buffers, 8x8 register blocks) or the _gpu forms (shared-memory tiles) by the recorder's variant; on _cpu,
/// 3x3 stride-1 pad-1 forward and backward-input convs as Winograd F(2x2,3x3) in three passes (weight transform,
/// input transform, GEMMs fused with the output transform) given scratch (<see cref="UsesWinograd"/>).
/// The bias gradient is a separate deterministic reduction.
/// </summary>
public static class Conv2dKernels
{
    private const int CpuRows = 8, Columns = 64;

    /// <summary>
    /// y = [relu](conv(x, w) [+ bias] [+ residual]) [+ y] by the fixed rules. Absent bias/residual bind x as an unread
    /// placeholder. residual may be y itself: each element is read and written by the same invocation. With a scratch
    /// slice of <see cref="ScratchBytes"/>, a 3x3 stride-1 pad-1 conv on _cpu runs as Winograd F(2x2,3x3)
    /// (<see cref="UsesWinograd"/>; <paramref name="winograd"/> null: the VKRESNET_WINOGRAD default).
    /// </summary>
    public static void Forward(CommandRecorder r, Conv2dShape s, BufferSlice x, BufferSlice w, BufferSlice? bias,
                               BufferSlice? residual, BufferSlice y, bool relu = false, bool accumulate = false,
                               BufferSlice? scratch = null, bool? winograd = null)
    {
        var flags = (bias is null ? 0 : Conv2dFlags.Bias) | (residual is null ? 0 : Conv2dFlags.Residual)
                  | (relu ? Conv2dFlags.Relu : 0) | (accumulate ? Conv2dFlags.Accumulate : 0);
        var key = new ConvKey(ConvDirection.Forward, s, flags);
        Record(r, ConvCandidates.Rules(key, r.Variant, winograd, scratch?.Size ?? 0), key, new ConvOperands(x, w, y, scratch, bias, residual));
    }

    /// <summary>
    /// dx = conv_transpose(dy, w) (or dx += with accumulate) by the fixed rules. On _cpu, for stride 1, a scratch slice of
    /// <see cref="ScratchBytes"/> lets it run as the (faster) forward kernel over flipped, transposed weights;
    /// otherwise one implicit-GEMM pass per stride phase.
    /// </summary>
    public static void BackwardInput(CommandRecorder r, Conv2dShape s, BufferSlice dy, BufferSlice w, BufferSlice dx,
                                     BufferSlice? scratch = null, bool accumulate = false, bool? winograd = null)
    {
        var key = new ConvKey(ConvDirection.BackwardInput, s, accumulate ? Conv2dFlags.Accumulate : 0);
        Record(r, ConvCandidates.Rules(key, r.Variant, winograd, scratch?.Size ?? 0), key, new ConvOperands(dy, w, dx, scratch));
    }

    /// <summary>
    /// dw = sum over batch and space of dy x im2col(x) (or dw += with accumulate) by the fixed rules. On the _gpu variant
    /// a scratch slice of <see cref="ScratchBytes"/> lets the long reduction run as split-K slices plus a fixed-order
    /// reduce (deterministic); without it (or on _cpu, where 2-16 cores are already busy) it is one pass.
    /// </summary>
    public static void BackwardWeight(CommandRecorder r, Conv2dShape s, BufferSlice dy, BufferSlice x, BufferSlice dw,
                                      BufferSlice? scratch = null, bool accumulate = false)
    {
        var key = new ConvKey(ConvDirection.BackwardWeight, s, accumulate ? Conv2dFlags.Accumulate : 0);
        Record(r, ConvCandidates.Rules(key, r.Variant, null, scratch?.Size ?? 0), key, new ConvOperands(dy, x, dw, scratch));
    }

    /// <summary>
    /// Records one candidate for a pass (what a compiled graph does with the tuner's choice), after checking that
    /// the candidate is of the key's direction and applies, and that every slice, the scratch included, is large enough.
    /// </summary>
    public static void Record(CommandRecorder r, ConvCandidate c, ConvKey key, ConvOperands o)
    {
        var s = key.Shape;
        s.Validate();
        if (c.Direction != key.Direction)
            throw new ArgumentException($"Conv2d {s}: candidate {c.Name} computes {c.Direction}, not {key.Direction}.");
        if (!c.Applies(s, r.Device.Info))
            throw new ArgumentException($"Conv2d {s}: candidate {key.Direction} {c.Name} does not apply to this shape on {r.Device.Info.Name}.");
        var (a, b, output) = key.Elements;
        string[] names = key.Direction switch
        {
            ConvDirection.Forward => ["x", "w", "y"],
            ConvDirection.BackwardInput => ["dy", "w", "dx"],
            _ => ["dy", "x", "dw"],
        };
        Require(o.A, a, names[0], s);
        Require(o.B, b, names[1], s);
        Require(o.Out, output, names[2], s);
        if ((key.Flags & Conv2dFlags.Bias) != 0) Require(o.Bias ?? throw new ArgumentException($"Conv2d {s}: the Bias flag without a bias slice."), s.Cout, "bias", s);
        if ((key.Flags & Conv2dFlags.Residual) != 0) Require(o.Residual ?? throw new ArgumentException($"Conv2d {s}: the Residual flag without a residual slice."), output, "residual", s);
        long scratch = c.Scratch(s);
        if (scratch > 0 && (o.Scratch?.Size ?? 0) < scratch)
            throw new ArgumentException($"Conv2d {s}: candidate {c.Name} needs {scratch} bytes of scratch, got {o.Scratch?.Size ?? 0}.");
        c.Record(r, s, o, key.Flags);
    }

    // ---- The forms the candidates record (ConvCandidates.All names each with its parameters). ----

    /// <summary>The direct implicit-GEMM forward: the _cpu form (grid order by <paramref name="rowsOnX"/>) or the _gpu form.</summary>
    internal static void DirectForward(CommandRecorder r, Conv2dShape s, ConvOperands o, Conv2dFlags flags, KernelVariant form, bool rowsOnX) =>
        DirectForward(r, s, o, flags, form, rowsOnX, CpuBlock.Default);

    /// <summary>The direct forward with the _cpu register block <paramref name="block"/> (specialization constants 1 and 2).</summary>
    internal static void DirectForward(CommandRecorder r, Conv2dShape s, ConvOperands o, Conv2dFlags flags, KernelVariant form, bool rowsOnX,
                                       CpuBlock block)
    {
        bool acc = (flags & Conv2dFlags.Accumulate) != 0;
        // _cpu also binds w a second time as rgba32f texels (binding 5, read when Cin*KH*KW % 4 == 0).
        ReadOnlySpan<Access> all =
        [
            Access.Read(o.A), Access.Read(o.B), Access.Read(Bound(o.Bias, flags, Conv2dFlags.Bias, o.A)),
            Access.Read(Bound(o.Residual, flags, Conv2dFlags.Residual, o.A)), Output(o.Out, acc), Access.Read(o.B),
        ];
        RequireColumns((long)s.N * s.OutH * s.OutW, s);
        if (form == KernelVariant.Gpu) { Conv2dTiledGpu.Forward(r, s, o, flags, GpuTile.Default, null, splitK: false); return; }
        Conv2dFormArgs.RequireBlock(block, r.Device.Info, s, "direct forward");
        var (gx, gy) = Grid(form, rowsOnX, Groups((long)s.N * s.OutH * s.OutW, block.Columns), Groups(s.Cout, block.Rows));
        r.Dispatch(block.Kernel("conv2d_forward_cpu"), block.With(GridSpec(form, rowsOnX)), all, new Conv2dPush(s, flags), gx, gy, 1);
    }

    // A flag's slice, or the unread placeholder the kernels bind in its place.
    internal static BufferSlice Bound(BufferSlice? slice, Conv2dFlags flags, Conv2dFlags flag, BufferSlice placeholder) =>
        (flags & flag) != 0 && slice is { } s ? s : placeholder;

    /// <summary>Backward input as one implicit-GEMM grid per stride phase (z); x covers the largest phase.</summary>
    internal static void PhasedBackwardInput(CommandRecorder r, Conv2dShape s, ConvOperands o, Conv2dFlags flags, KernelVariant form, bool rowsOnX) =>
        PhasedBackwardInput(r, s, o, flags, form, rowsOnX, CpuBlock.Default);

    /// <summary>The per-phase backward input with the _cpu register block <paramref name="block"/>.</summary>
    internal static void PhasedBackwardInput(CommandRecorder r, Conv2dShape s, ConvOperands o, Conv2dFlags flags, KernelVariant form, bool rowsOnX,
                                             CpuBlock block)
    {
        bool acc = (flags & Conv2dFlags.Accumulate) != 0;
        long phaseColumns = (long)s.N * DivUp(s.H, s.StrideH) * DivUp(s.W, s.StrideW);
        RequireColumns(phaseColumns, s);
        if (form == KernelVariant.Gpu) { Conv2dTiledGpu.BackwardInput(r, s, o, flags, GpuTile.Default, null, splitK: false); return; }
        var (gx, gy) = Grid(form, rowsOnX, Groups(phaseColumns, block.Columns), Groups(s.Cin, block.Rows));
        r.Dispatch("conv2d_backward_input_cpu", block.With(GridSpec(form, rowsOnX)), [Access.Read(o.A), Access.Read(o.B), Output(o.Out, acc)],
                   new Conv2dPush(s, acc ? Conv2dFlags.Accumulate : 0), gx, gy, (uint)(s.StrideH * s.StrideW));
    }

    // Stride 1 with padding below the kernel size is a plain convolution of dy (measured 1.2-1.7x faster on llvmpipe).
    internal static bool FlipApplies(Conv2dShape s) => s.StrideH == 1 && s.StrideW == 1 && s.PadH < s.KernelH && s.PadW < s.KernelW;
    internal static long FlipScratchBytes(Conv2dShape s) => AlignedBytes(s.WeightElements);

    /// <summary>Backward input (stride 1) as the direct forward of dy over flipped, transposed weights written to scratch.</summary>
    internal static void FlippedBackwardInput(CommandRecorder r, Conv2dShape s, ConvOperands o, Conv2dFlags flags, KernelVariant form) =>
        FlippedBackwardInput(r, s, o, flags, form, CpuBlock.Default);

    /// <summary>The flipped backward input with the _cpu forward's register block <paramref name="block"/>.</summary>
    internal static void FlippedBackwardInput(CommandRecorder r, Conv2dShape s, ConvOperands o, Conv2dFlags flags, KernelVariant form, CpuBlock block)
    {
        var wt = o.Scratch!.Value.Slice(0, AlignedBytes(s.WeightElements));
        r.Dispatch("conv2d_weight_flip", [], [Access.Read(o.B), Access.Write(wt)], new Conv2dPush(s, 0), Groups(s.WeightElements, 256), 1, 1);
        DirectForward(r, Transposed(s), new ConvOperands(o.A, wt, o.Out), flags & Conv2dFlags.Accumulate, form, rowsOnX: form == KernelVariant.Cpu, block);
    }

    /// <summary>Backward input (stride 1, 3x3, pad 1) as Winograd over dy; the weight transform reads w flipped and transposed itself.</summary>
    internal static void WinogradBackwardInput(CommandRecorder r, Conv2dShape s, ConvOperands o, Conv2dFlags flags) =>
        Winograd(r, Transposed(s), o.A, o.B, null, null, o.Out, flags & Conv2dFlags.Accumulate, o.Scratch!.Value, flipWeights: true);

    internal static void WinogradForward(CommandRecorder r, Conv2dShape s, ConvOperands o, Conv2dFlags flags) =>
        Winograd(r, s, o.A, o.B, (flags & Conv2dFlags.Bias) != 0 ? o.Bias : null, (flags & Conv2dFlags.Residual) != 0 ? o.Residual : null,
                 o.Out, flags, o.Scratch!.Value, flipWeights: false);

    // The stride-1 backward-input conv as a forward conv of dy with flipped, transposed weights.
    internal static Conv2dShape Transposed(Conv2dShape s) =>
        new(s.N, s.Cout, s.OutH, s.OutW, s.Cin, s.KernelH, s.KernelW, 1, 1, s.KernelH - 1 - s.PadH, s.KernelW - 1 - s.PadW);

    internal static bool WinogradApplies(Conv2dShape s) =>
        s.KernelH == 3 && s.KernelW == 3 && s.StrideH == 1 && s.StrideW == 1 && s.PadH == 1 && s.PadW == 1;

    /// <summary>
    /// Whether the fixed rules run a forward conv of this shape as Winograd F(2x2,3x3) (given scratch): _cpu, 3x3, stride 1, pad 1.
    /// <paramref name="winograd"/> true forces it on such shapes, false off (VKRESNET_WINOGRAD, read at the edge into
    /// <see cref="Tuning.TuningOptions.Winograd"/>); null keeps it to the shapes where it measured faster on llvmpipe (see WinogradPays).
    /// </summary>
    public static bool UsesWinograd(Conv2dShape s, KernelVariant v, bool? winograd = null) =>
        v == KernelVariant.Cpu && WinogradApplies(s) && (winograd ?? WinogradPays(s));

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
    internal static long WinogradScratchBytes(Conv2dShape s)
    {
        var (u, v) = WinogradParts(s);
        return u + v;
    }

    // Three passes: weight transform (u), input transform (v), then the 16 GEMMs fused with the output transform
    // and epilogue (storing the GEMM results and transforming them in a fourth pass measured slower on llvmpipe).
    private static void Winograd(CommandRecorder r, Conv2dShape s, BufferSlice x, BufferSlice w, BufferSlice? bias,
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

    private static long AlignedBytes(long elements) => (elements * sizeof(float) + 15) & ~15L;

    /// <summary>Backward weight in one pass (the _gpu form binds dw in place of the split-K partials it does not use).</summary>
    internal static void DirectBackwardWeight(CommandRecorder r, Conv2dShape s, ConvOperands o, Conv2dFlags flags, KernelVariant form) =>
        DirectBackwardWeight(r, s, o, flags, form, CpuBlock.Default);

    /// <summary>The one-pass backward weight with the _cpu register block <paramref name="block"/>.</summary>
    internal static void DirectBackwardWeight(CommandRecorder r, Conv2dShape s, ConvOperands o, Conv2dFlags flags, KernelVariant form, CpuBlock block)
    {
        if (form == KernelVariant.Gpu) { Conv2dTiledGpu.BackwardWeight(r, s, o, flags, GpuTile.Default, null, splitK: false); return; }
        Conv2dFormArgs.RequireBlock(block, r.Device.Info, s, "direct backward weight");
        bool acc = (flags & Conv2dFlags.Accumulate) != 0;
        // One invocation loops over N*OH*OW: in chunks of images under lavapipe's loop budget (LoopBudget), the later added.
        long dyImage = (long)s.Cout * s.OutH * s.OutW * sizeof(float), xImage = (long)s.Cin * s.H * s.W * sizeof(float);
        int images = LoopBudget.Images(s.N, (long)s.OutH * s.OutW + 2L * s.OutH + 1, (long)r.Device.Info.MinTexelBufferOffsetAlignment, dyImage, xImage);
        for (int n0 = 0; n0 < s.N; n0 += images)
        {
            var c = s with { N = Math.Min(images, s.N - n0) };
            bool add = acc || n0 > 0;
            r.Dispatch(block.Kernel("conv2d_backward_weight_cpu"), block.With([]), [Access.Read(o.A.Slice(n0 * dyImage, c.N * dyImage)), Access.Read(o.B.Slice(n0 * xImage, c.N * xImage)),
                       Output(o.Out, add)], new Conv2dPush(c, add ? Conv2dFlags.Accumulate : 0), Groups(s.PatchSize, block.Columns), Groups(s.Cout, block.Rows), 1);
        }
    }

    /// <summary>Backward weight as split-K slices of the long reduction into scratch, then a fixed-order reduce (deterministic).</summary>
    internal static void SplitKBackwardWeight(CommandRecorder r, Conv2dShape s, ConvOperands o, Conv2dFlags flags) =>
        Conv2dTiledGpu.BackwardWeight(r, s, o, flags, GpuTile.Default, null, splitK: true);

    internal static long SplitKScratchBytes(Conv2dShape s) => Conv2dTiledGpu.ScratchBytes(ConvDirection.BackwardWeight, s, GpuTile.Default, splitK: true);

    /// <summary>
    /// Scratch bytes that the fixed rules' <see cref="Forward"/>, <see cref="BackwardInput"/> and <see cref="BackwardWeight"/>
    /// can use on this variant (0: none); one slice serves all three, the recorder orders the reuse. Without it they still run, slower.
    /// </summary>
    public static long ScratchBytes(Conv2dShape s, KernelVariant variant, bool? winograd = null) =>
        Enum.GetValues<ConvDirection>().Max(d => ConvCandidates.Rules(new ConvKey(d, s), variant, winograd).Scratch(s));

    // Enough slices to give a GPU ~256 workgroups, each summing at least 256 k (a multiple of the 16-deep tile).
    internal static (int Slices, int Chunk) SplitK(Conv2dShape s) => Conv2dTiledGpu.Split(ConvDirection.BackwardWeight, s, GpuTile.Default);

    /// <summary>db[c] = sum over batch and space of dy[n, c] (or db += with accumulate).</summary>
    public static void BackwardBias(CommandRecorder r, Conv2dShape s, BufferSlice dy, BufferSlice db, bool accumulate = false)
    {
        s.Validate();
        Require(dy, s.OutputElements, "dy", s);
        Require(db, s.Cout, "db", s);
        BiasGradKernel.Record(r, s.N, s.Cout, s.OutH * s.OutW, dy, db, accumulate);
    }

    // The _cpu forward and backward-input kernels read their grid order from specialization constant 0 (ROWS_ON_X,
    // conv_grid_cpu.glsl): channel blocks on x (the default), which a CPU device walks fastest, lets back-to-back
    // workgroups share one pixel block's input in cache; pixel blocks on x is the other candidate. _gpu: pixel blocks on x.
    private static (uint X, uint Y) Grid(KernelVariant form, bool rowsOnX, uint columnGroups, uint rowGroups) =>
        form == KernelVariant.Cpu && rowsOnX ? (rowGroups, columnGroups) : (columnGroups, rowGroups);
    private static readonly SpecConstant[] PixelsOnX = [SpecConstant.Bool(0, false)];
    // The default order passes no constant, so the pipeline is the one the fixed rules always compiled.
    private static ReadOnlySpan<SpecConstant> GridSpec(KernelVariant form, bool rowsOnX) =>
        form == KernelVariant.Cpu && !rowsOnX ? PixelsOnX : [];

    private static string Suffix(KernelVariant form) => form == KernelVariant.Cpu ? "_cpu" : "_gpu";
    internal static string Name(string op, CommandRecorder r) => op + Suffix(r.Variant);
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
