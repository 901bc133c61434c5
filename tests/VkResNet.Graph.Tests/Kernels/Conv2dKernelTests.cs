using VkResNet.Graph.Execution;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Tests.Reference;
using VkResNet.Runtime;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Kernels;

/// <summary>Conv2d launchers (every variant forced in turn) against the CPU double-precision reference.</summary>
public sealed class Conv2dKernelTests(GpuFixture gpu) : KernelTest(gpu)
{
    // n, cin, h, w, cout, kh, kw, sh, sw, ph, pw
    static readonly int[][] Shapes =
    [
        [1, 13, 9, 7, 5, 3, 3, 1, 1, 1, 1],     // odd channels and map, 3x3 same padding
        [3, 13, 9, 7, 11, 3, 3, 2, 2, 1, 1],    // stride 2 on odd sizes, batch 3
        [3, 13, 9, 7, 21, 1, 1, 2, 2, 0, 0],    // 1x1 stride-2 projection shortcut
        [1, 3, 15, 13, 17, 7, 7, 2, 2, 3, 3],   // ResNet stem: 7x7 stride 2 pad 3
        [3, 5, 9, 7, 13, 1, 1, 1, 1, 0, 0],     // 1x1 bottleneck
        [1, 7, 5, 6, 9, 3, 3, 1, 1, 0, 0],      // no padding
        [2, 3, 6, 9, 70, 3, 1, 1, 2, 1, 0],     // non-square kernel and stride, Cout over one 64-row tile
        [1, 12, 9, 7, 70, 3, 3, 2, 2, 1, 1],    // Cin*9 % 4 == 0: the _cpu vec4-weight path, stride 2
        [3, 4, 11, 9, 5, 7, 7, 2, 2, 3, 3],     // vec4-weight path with a 7x7 kernel and batch 3
        [2, 16, 28, 28, 16, 3, 3, 1, 1, 1, 1],  // ResNet-20 stage 1
        [2, 12, 8, 10, 16, 1, 1, 2, 2, 0, 0],   // 1x1/2 on even maps, Cin and Cout % 4 == 0 (vec4 paths both ways)
        [2, 6, 5, 8, 7, 3, 3, 3, 2, 1, 1],      // strides 3 and 2: phases of unequal tap counts
        [3, 12, 6, 6, 13, 1, 1, 1, 1, 0, 0],    // 1x1 with H*W % 4 == 0: the 1x1 GEMM's vec4 columns
        [2, 5, 57, 55, 6, 3, 3, 2, 2, 1, 1],    // 3x3/2 with N*OH*OW >= 784: the default backward input is the stride-phase form
        [33, 13, 9, 7, 11, 3, 3, 1, 1, 1, 1],   // batch >= 32 on odd channels and map: backward weight split by images, OW % 4 != 0
        [32, 9, 10, 8, 7, 3, 3, 2, 2, 1, 1],    // batch 32, 3x3/2 with OW % 4 == 0 (vec4 dy at x stride 2), Cout % 4 != 0
        [3, 8, 29, 28, 5, 3, 3, 2, 2, 1, 1],    // 3x3/2 with 14-wide outputs, 8 channels: the fixed rules' backward weight is taps8_cpu
        [2, 67, 5, 7, 9, 3, 3, 2, 2, 1, 1],     // Cin over 64 at stride 2: the 64-row blocks of the backward input (phases_cpu_64x8), ragged
        [1, 37, 6, 5, 70, 3, 3, 1, 1, 1, 1],    // Cin 37, Cout 70 at stride 1: the 16-, 32- and 64-row blocks, each with a ragged last block
    ];

    static readonly KernelVariant[] Variants = [KernelVariant.Cpu, KernelVariant.Gpu];

    /// <summary>The launchers beside Conv2dKernels' own (tuner candidates), each forced on every shape it applies to.</summary>
    public enum Form { Default, PhaseBackwardInput, Gemm1x1, BackwardWeightDy4 }

    static readonly Form[] ForwardForms = [Form.Default, Form.Gemm1x1];
    // Backward forms run their own direction; the other direction of the same test runs the default launcher.
    static readonly Form[] BackwardForms = [Form.Default, Form.PhaseBackwardInput, Form.Gemm1x1, Form.BackwardWeightDy4];

    static bool Applies(Form f, Conv2dShape s, KernelVariant v) => f switch
    {
        Form.PhaseBackwardInput => Conv2dPhaseBackwardInput.Applies(s, v),
        Form.Gemm1x1 => Conv2d1x1Gemm.Applies(s, v),
        Form.BackwardWeightDy4 => Conv2dBackwardWeightDy4.Applies(s, v),
        _ => true,
    };

    static IEnumerable<object[]> With(Form[] forms, IEnumerable<string> specs, KernelVariant[] variants) =>
        from v in variants from spec in specs from f in forms where Applies(f, Parse(spec), v) select new object[] { v, spec, f };

    public static IEnumerable<object[]> ForwardCases() => With(ForwardForms, Shapes.Select(s => string.Join(",", s)), Variants);
    public static IEnumerable<object[]> BackwardCases() => With(BackwardForms, Shapes.Select(s => string.Join(",", s)), Variants);

    static void Forward(Form f, CommandRecorder r, Conv2dShape s, BufferSlice x, BufferSlice w, BufferSlice? b, BufferSlice? res,
                        BufferSlice y, bool relu = false, bool accumulate = false)
    {
        if (f == Form.Gemm1x1) Conv2d1x1Gemm.Forward(r, s, x, w, b, res, y, relu, accumulate);
        else Conv2dKernels.Forward(r, s, x, w, b, res, y, relu, accumulate);
    }

    static void BackwardInput(Form f, CommandRecorder r, Conv2dShape s, BufferSlice dy, BufferSlice w, BufferSlice dx,
                              BufferSlice? scratch, bool accumulate = false)
    {
        switch (f)
        {
            case Form.PhaseBackwardInput: Conv2dPhaseBackwardInput.BackwardInput(r, s, dy, w, dx, scratch!.Value, accumulate); break;
            case Form.Gemm1x1: Conv2d1x1Gemm.BackwardInput(r, s, dy, w, dx, scratch!.Value, accumulate); break;
            case Form.BackwardWeightDy4: Conv2dKernels.BackwardInput(r, s, dy, w, dx, scratch, accumulate); break;
            default: Conv2dKernels.BackwardInput(r, s, dy, w, dx, scratch, accumulate); break;
        }
    }

    static void BackwardWeight(Form f, CommandRecorder r, Conv2dShape s, BufferSlice dy, BufferSlice x, BufferSlice dw,
                               BufferSlice? scratch, bool accumulate = false)
    {
        if (f == Form.BackwardWeightDy4) Conv2dBackwardWeightDy4.BackwardWeight(r, s, dy, x, dw, scratch, accumulate);
        else Conv2dKernels.BackwardWeight(r, s, dy, x, dw, scratch, accumulate);
    }

    // Floats of scratch a form needs (Default: what Conv2dKernels can use; at least one so a slice exists).
    static long ScratchFloats(Form f, Conv2dShape s, KernelVariant v) => Math.Max(1, f switch
    {
        Form.PhaseBackwardInput => Conv2dPhaseBackwardInput.ScratchBytes(s),
        Form.Gemm1x1 => Conv2d1x1Gemm.ScratchBytes(s),
        Form.BackwardWeightDy4 => Conv2dBackwardWeightDy4.ScratchBytes(s),
        _ => Conv2dKernels.ScratchBytes(s, v),
    } / 4);

    /// <summary>"n,cin,h,w,cout,kh,kw,sh,sw,ph,pw" as the tables write shapes.</summary>
    internal static Conv2dShape Parse(string spec)
    {
        var d = spec.Split(',').Select(int.Parse).ToArray();
        return new Conv2dShape(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10]);
    }

    // fp32 sums of K products of values in [-1, 1]: error grows with the reduction length (the tuner checks with the same).
    static double Atol(long k) => ConvTolerance.Atol(k);
    const double Rtol = ConvTolerance.Rtol;

    sealed record Data(float[] X, float[] W, float[] B, float[] Res, float[] Dy, float[] Prior);

    static Data MakeData(Conv2dShape s) => new(
        RandomData.Uniform((int)s.InputElements, 11), RandomData.Uniform((int)s.WeightElements, 12),
        RandomData.Uniform(s.Cout, 13), RandomData.Uniform((int)s.OutputElements, 14),
        RandomData.Uniform((int)s.OutputElements, 15),
        RandomData.Uniform((int)Math.Max(s.InputElements, Math.Max(s.WeightElements, s.OutputElements)), 16));

    [Theory, MemberData(nameof(ForwardCases))]
    public void Forward_plain_and_fused_epilogue_match_the_cpu(KernelVariant variant, string spec, Form form)
    {
        var s = Parse(spec);
        var d = MakeData(s);
        using var a = new Arena(Device, ArenaBytes(s.InputElements, s.WeightElements, s.Cout, s.OutputElements, s.OutputElements, s.OutputElements));
        BufferSlice x = a.Add(d.X), w = a.Add(d.W), b = a.Add(d.B), res = a.Add(d.Res), y = a.Alloc(s.OutputElements), yf = a.Alloc(s.OutputElements);
        Record(variant, r =>
        {
            Forward(form, r, s, x, w, null, null, y);
            Forward(form, r, s, x, w, b, res, yf, relu: true);
        });

        var plain = OpRef.Conv2dForward(ToDouble(d.X), ToDouble(d.W), null, s);
        var fused = OpRef.Conv2dForward(ToDouble(d.X), ToDouble(d.W), ToDouble(d.B), s);
        for (int i = 0; i < fused.Length; i++) fused[i] = Math.Max(0, fused[i] + d.Res[i]);
        string what = $"conv2d_forward {variant} {form} {s}";
        Tolerance.AssertClose(plain, a.Read(y, s.OutputElements), Atol(s.PatchSize), Rtol, what);
        Tolerance.AssertClose(fused, a.Read(yf, s.OutputElements), Atol(s.PatchSize), Rtol, what + " +bias +residual relu");
    }

    [Theory, MemberData(nameof(BackwardCases))]
    public void Backward_input_weight_and_bias_match_the_cpu(KernelVariant variant, string spec, Form form)
    {
        var s = Parse(spec);
        var d = MakeData(s);
        // The scratch (_gpu: split-K partials, _cpu: flipped weights for stride 1) is given, as the graph gives it.
        long scratchFloats = Math.Max(ScratchFloats(form, s, variant), ScratchFloats(Form.Default, s, variant));
        using var a = new Arena(Device, ArenaBytes(s.InputElements, s.WeightElements, s.OutputElements, s.InputElements, s.WeightElements, s.Cout, scratchFloats));
        BufferSlice x = a.Add(d.X), w = a.Add(d.W), dy = a.Add(d.Dy);
        // dx starts as garbage: every element must be written, the stride positions that get no gradient too.
        BufferSlice dx = a.Add(d.Prior[..(int)s.InputElements]), dw = a.Alloc(s.WeightElements), db = a.Alloc(s.Cout), scratch = a.Alloc(scratchFloats);
        Record(variant, r =>
        {
            BackwardInput(form, r, s, dy, w, dx, scratch);
            BackwardWeight(form, r, s, dy, x, dw, scratch);
            Conv2dKernels.BackwardBias(r, s, dy, db);
        });

        double[] dyD = ToDouble(d.Dy);
        long taps = (long)s.Cout * s.KernelH * s.KernelW, pixels = (long)s.N * s.OutH * s.OutW;
        string what = $"{variant} {form} {s}";
        Tolerance.AssertClose(OpRef.Conv2dBackwardInput(dyD, ToDouble(d.W), s), a.Read(dx, s.InputElements), Atol(taps), Rtol, "conv2d dx " + what);
        Tolerance.AssertClose(OpRef.Conv2dBackwardWeight(dyD, ToDouble(d.X), s), a.Read(dw, s.WeightElements), Atol(pixels), Rtol, "conv2d dW " + what);
        Tolerance.AssertClose(OpRef.Conv2dBackwardBias(dyD, s), a.Read(db, s.Cout), Atol(pixels), Rtol, "conv2d db " + what);
    }

    // Long reductions over small grids, where the split-K forms split (the shapes above are too short for most of them):
    // forward K = 576, backward-input K = 576, and stride 2 with phases of 4, 2, 2 and 1 taps (some slices past a phase's K).
    static readonly int[][] LongReductionShapes =
    [
        [1, 64, 5, 5, 9, 3, 3, 1, 1, 1, 1],
        [1, 9, 5, 5, 64, 3, 3, 1, 1, 1, 1],
        [1, 5, 7, 6, 150, 3, 3, 2, 2, 1, 1],
    ];
    static bool SplitsK(ConvCandidate c) => c.Name.Contains("splitk", StringComparison.Ordinal);
    // Linear layers, keyed as 1x1 convs over 1x1 maps (LinearGemm): every candidate may be timed on them. Batch 3 runs the
    // GEMM transposed, batch 9 not.
    static readonly int[][] LinearShapes = [[3, 13, 1, 1, 11, 1, 1, 1, 1, 0, 0], [9, 70, 1, 1, 21, 1, 1, 1, 1, 0, 0]];

    // Every registered candidate (ConvCandidates.All, the tuner's table) forced in turn on every shape of the table.
    public static IEnumerable<object[]> CandidateCases() =>
        from c in ConvCandidates.All from s in Shapes.Concat(LinearShapes).Concat(SplitsK(c) ? LongReductionShapes : [])
        select new object[] { c.Direction, c.Name, string.Join(",", s) };

    [Fact]
    public void Every_candidate_applies_to_some_shape_of_the_tables()
    {
        // A candidate that applies nowhere in the tables would only be tested for refusing them. The _gpu family may need
        // device features this device lacks (subgroup size control: GpuTileTests covers those forms by their tiles).
        // The tables each candidate is forced on (CandidateCases, WinogradCandidateCases).
        IEnumerable<int[]> Tables(ConvCandidate c) => Shapes.Concat(LinearShapes).Concat(SplitsK(c) ? LongReductionShapes : [])
            .Concat(c.Name.Contains("winograd", StringComparison.Ordinal) ? WinogradShapes : []);
        foreach (var c in ConvCandidates.All.Where(c => c.Family != KernelVariant.Gpu))
            Assert.True(Tables(c).Any(spec => c.Applies(Parse(string.Join(",", spec)), Device.Info)),
                        $"{c.Direction} {c.Name} applies to no shape of its tables on {Device.Info.Name}");
    }

    [Fact]
    public void The_shuffle_forms_apply_only_where_the_device_shuffles_in_subgroups_of_eight_or_more()
    {
        // The rows' operand crosses the workgroup's 8 lanes by subgroup shuffles (cpu_block.glsl SHUFFLE_ROWS, the row-run
        // forward): a device without shuffles in compute, or with subgroups under 8, is never offered those forms.
        static bool Shuffles(ConvCandidate c) => c.Name.Contains("shuffle", StringComparison.Ordinal) || c.Name.Contains("rows_cpu", StringComparison.Ordinal);
        var forms = ConvCandidates.All.Where(Shuffles).ToList();
        Assert.True(forms.Count >= 10, $"{forms.Count} shuffle forms");
        DeviceInfo noShuffle = Device.Info with { SubgroupShuffleCompute = false }, narrow = Device.Info with { SubgroupSize = 4, SubgroupShuffleCompute = true };
        DeviceInfo able = Device.Info with { SubgroupSize = 8, SubgroupShuffleCompute = true };
        foreach (var c in forms)
        {
            var shapes = Shapes.Concat(LinearShapes).Select(spec => Parse(string.Join(",", spec))).ToList();
            Assert.True(shapes.Any(s => c.Applies(s, able)), $"{c.Direction} {c.Name} applies to no table shape even with shuffles");
            Assert.DoesNotContain(shapes, s => c.Applies(s, noShuffle) || c.Applies(s, narrow));
        }
        // The plain forms stay for those devices: every direction keeps its reference and a _cpu block form without shuffles.
        foreach (var d in Enum.GetValues<ConvDirection>())
            Assert.Contains(ConvCandidates.All, c => c.Direction == d && !Shuffles(c) && c.Family == KernelVariant.Cpu);
    }

    [Fact]
    public void A_plain_block_is_not_tuned_where_its_shuffle_twin_applies_and_is_where_it_does_not()
    {
        foreach (var c in ConvCandidates.All.Where(c => c.SupersededBy is not null))
            Assert.NotNull(ConvCandidates.Find(ConvCandidates.All, c.Direction, c.SupersededBy!));
        DeviceInfo able = Device.Info with { SubgroupSize = 8, SubgroupShuffleCompute = true }, noShuffle = Device.Info with { SubgroupShuffleCompute = false };
        var key = new ConvKey(ConvDirection.Forward, Parse("2,16,28,28,16,3,3,1,1,1,1"));
        List<string> Names(DeviceInfo d, KernelVariant? v) => ConvCandidates.Applicable(ConvCandidates.All, key, d, v).Select(c => c.Name).ToList();
        Assert.Contains("direct_cpu_shuffle_16x8", Names(able, KernelVariant.Cpu));
        Assert.DoesNotContain("direct_cpu_16x8", Names(able, KernelVariant.Cpu));
        Assert.Contains("direct_cpu_16x8", Names(noShuffle, KernelVariant.Cpu));
        Assert.Contains("direct_cpu_16x8", Names(able, null));   // listed, not tuned: the kernel tests still force it
        var weight = new ConvKey(ConvDirection.BackwardWeight, Parse("2,16,28,28,16,3,3,1,1,1,1"));
        var tuned = ConvCandidates.Applicable(ConvCandidates.All, weight, able, KernelVariant.Cpu).Select(c => c.Name).ToList();
        Assert.Contains("taps8_shuffle_cpu", tuned);
        Assert.DoesNotContain("taps8_cpu", tuned);
    }

    [Fact]
    public void Every_split_k_candidate_splits_on_some_shape_of_the_tables()
    {
        foreach (var c in ConvCandidates.All.Where(SplitsK))
            Assert.True(Shapes.Concat(LongReductionShapes).Any(spec => c.Applies(Parse(string.Join(",", spec)), Device.Info) && c.Scratch(Parse(string.Join(",", spec))) > 0),
                        $"{c.Direction} {c.Name} never splits on the test shapes on {Device.Info.Name}");
    }

    // 3x3 stride-1 pad-1 rows for the Winograd candidates: F(4x4,3x3) tile edges (H, W of every residue mod 4, maps
    // smaller than one tile), Cin 1 and 13 (k padded to 4), batch 1 and 3, Cin or Cout 512 (the longest reduction the
    // transforms' fp32 error grows with) and ResNet's 7x7 maps at 256 channels.
    static readonly int[][] WinogradShapes =
    [
        [3, 13, 10, 5, 19, 3, 3, 1, 1, 1, 1],
        [1, 16, 6, 11, 32, 3, 3, 1, 1, 1, 1],
        [3, 32, 4, 8, 16, 3, 3, 1, 1, 1, 1],
        [1, 1, 2, 3, 3, 3, 3, 1, 1, 1, 1],
        [1, 512, 3, 5, 16, 3, 3, 1, 1, 1, 1],
        [1, 16, 5, 3, 512, 3, 3, 1, 1, 1, 1],
        [2, 256, 7, 7, 256, 3, 3, 1, 1, 1, 1],
    ];

    public static IEnumerable<object[]> WinogradCandidateCases() =>
        from c in ConvCandidates.All where c.Name.Contains("winograd", StringComparison.Ordinal)
        from s in WinogradShapes select new object[] { c.Direction, c.Name, string.Join(",", s) };

    [Theory, MemberData(nameof(CandidateCases)), MemberData(nameof(WinogradCandidateCases))]
    public void Every_candidate_forced_matches_the_cpu_with_overwrite_and_accumulate(ConvDirection direction, string name, string spec)
    {
        var s = Parse(spec);
        var c = ConvCandidates.Find(ConvCandidates.All, direction, name)!;
        var d = MakeData(s);
        var key = new ConvKey(direction, s);
        var (na, nb, nOut) = key.Elements;
        long scratchFloats = Math.Max(1, c.Scratch(s) / 4);
        using var a = new Arena(Device, ArenaBytes(na, nb, s.Cout, s.OutputElements, nOut, nOut, nOut, scratchFloats));
        float[] inA = direction == ConvDirection.Forward ? d.X : d.Dy, inB = direction == ConvDirection.BackwardWeight ? d.X : d.W;
        float[] prior = d.Prior[..(int)nOut];
        BufferSlice sa = a.Add(inA), sb = a.Add(inB), bias = a.Add(d.B), res = a.Add(d.Res);
        BufferSlice plain = a.Alloc(nOut), fused = a.Alloc(nOut), summed = a.Add(prior), scratch = a.Alloc(scratchFloats);
        if (!c.Applies(s, Device.Info))
        {
            // A candidate is never recorded where it does not apply: the launcher refuses it by name.
            var e = Assert.Throws<ArgumentException>(() => Record(Device.Variant, r => Conv2dKernels.Record(r, c, key, new ConvOperands(sa, sb, plain, scratch))));
            Assert.Contains(name, e.Message);
            return;
        }
        var epilogue = direction == ConvDirection.Forward ? Conv2dFlags.Bias | Conv2dFlags.Residual | Conv2dFlags.Relu : Conv2dFlags.None;
        Record(Device.Variant, r =>
        {
            Conv2dKernels.Record(r, c, key, new ConvOperands(sa, sb, plain, scratch));
            Conv2dKernels.Record(r, c, key with { Flags = epilogue }, new ConvOperands(sa, sb, fused, scratch, bias, res));
            Conv2dKernels.Record(r, c, key with { Flags = Conv2dFlags.Accumulate }, new ConvOperands(sa, sb, summed, scratch));
        });

        double[] xD = ToDouble(d.X), wD = ToDouble(d.W), dyD = ToDouble(d.Dy);
        double[] expected = direction switch
        {
            ConvDirection.Forward => OpRef.Conv2dForward(xD, wD, null, s),
            ConvDirection.BackwardInput => OpRef.Conv2dBackwardInput(dyD, wD, s),
            _ => OpRef.Conv2dBackwardWeight(dyD, xD, s),
        };
        double[] withEpilogue = direction != ConvDirection.Forward ? expected
            : OpRef.Conv2dForward(xD, wD, ToDouble(d.B), s).Select((v, i) => Math.Max(0, v + d.Res[i])).ToArray();
        string what = $"{direction} {name} {s}";
        double atol = c.ErrorScale * Atol(key.ReductionLength);
        Tolerance.AssertClose(expected, a.Read(plain, nOut), atol, Rtol, what);
        Tolerance.AssertClose(withEpilogue, a.Read(fused, nOut), atol, Rtol, what + (direction == ConvDirection.Forward ? " +bias +residual relu" : " again"));
        Tolerance.AssertClose(Add(expected, prior), a.Read(summed, nOut), atol, Rtol, what + " +=");
    }

    // The taps backward-weight forms split the batch into up to 16 slices: at ResNet-20's batch 128 too, against the CPU.
    [Theory]
    [InlineData("taps8_cpu", "128,16,28,28,16,3,3,1,1,1,1")]
    [InlineData("taps4_cpu", "64,16,28,28,16,3,3,1,1,1,1")]
    [InlineData("taps8_cpu", "128,16,8,8,16,3,3,1,1,1,1")]
    public void The_taps_backward_weight_matches_the_cpu_at_training_batch_sizes(string name, string spec)
    {
        var s = Parse(spec);
        var c = ConvCandidates.Find(ConvCandidates.All, ConvDirection.BackwardWeight, name)!;
        var d = MakeData(s);
        var key = new ConvKey(ConvDirection.BackwardWeight, s);
        long scratchFloats = Math.Max(1, c.Scratch(s) / 4);
        using var a = new Arena(Device, ArenaBytes(s.OutputElements, s.InputElements, s.WeightElements, scratchFloats));
        BufferSlice dy = a.Add(d.Dy), x = a.Add(d.X), dw = a.Alloc(s.WeightElements), scratch = a.Alloc(scratchFloats);
        Record(Device.Variant, r => Conv2dKernels.Record(r, c, key, new ConvOperands(dy, x, dw, scratch)));
        Tolerance.AssertClose(OpRef.Conv2dBackwardWeight(ToDouble(d.Dy), ToDouble(d.X), s), a.Read(dw, s.WeightElements),
                              Atol(key.ReductionLength), Rtol, $"BackwardWeight {name} {s}");
    }

    // The fixed rules take taps8_cpu for 3x3 backward weight on outputs at least 14 wide (where it measured faster), given its scratch.
    [Theory]
    [InlineData("128,16,28,28,16,3,3,1,1,1,1", "taps8_cpu")]
    [InlineData("128,32,14,14,32,3,3,1,1,1,1", "taps8_cpu")]
    [InlineData("128,16,28,28,32,3,3,2,2,1,1", "taps8_cpu")]
    [InlineData("128,64,7,7,64,3,3,1,1,1,1", "direct_cpu")]
    [InlineData("128,32,14,14,64,3,3,2,2,1,1", "direct_cpu")]
    [InlineData("2,5,57,55,6,3,3,2,2,1,1", "direct_cpu")]
    public void The_fixed_rules_take_the_taps_backward_weight_on_wide_3x3_outputs(string spec, string name)
    {
        var key = new ConvKey(ConvDirection.BackwardWeight, Parse(spec));
        Assert.Equal(name, ConvCandidates.Rules(key, KernelVariant.Cpu).Name);
        Assert.Equal("direct_cpu", ConvCandidates.Rules(key, KernelVariant.Cpu, scratchBytes: 0).Name);   // at batch 128 taps8 needs scratch
    }

    [Fact]
    public void The_first_candidate_of_each_direction_applies_everywhere_and_names_are_unique()
    {
        foreach (var direction in Enum.GetValues<ConvDirection>())
        {
            var mine = ConvCandidates.All.Where(c => c.Direction == direction).ToList();
            Assert.True(mine.Count >= 2, $"{direction} has {mine.Count} candidates");
            Assert.True(mine.Select(c => c.Name).Distinct().Count() == mine.Count, $"{direction} repeats a candidate name");
            foreach (var spec in Shapes)
                Assert.True(mine[0].Applies(Parse(string.Join(",", spec)), Device.Info), $"reference {direction} {mine[0].Name} must apply to {string.Join(",", spec)}");
        }
    }

    public static IEnumerable<object[]> AccumulateCases() =>
        With(BackwardForms, ["3,13,9,7,11,3,3,2,2,1,1", "1,3,15,13,17,7,7,2,2,3,3", "2,13,9,7,5,3,3,1,1,1,1", "2,12,8,10,16,1,1,2,2,0,0"], Variants);

    // Default form without scratch: also the phase path of stride-1 backward input on _cpu (with scratch it runs as a
    // forward conv). The other forms get the scratch they need; forward runs through the form where it has one.
    [Theory, MemberData(nameof(AccumulateCases))]
    public void Accumulate_adds_into_the_existing_output(KernelVariant variant, string spec, Form form)
    {
        var s = Parse(spec);
        var d = MakeData(s);
        float[] py = d.Prior[..(int)s.OutputElements], px = d.Prior[..(int)s.InputElements], pw = d.Prior[..(int)s.WeightElements], pb = d.Prior[..s.Cout];
        long scratchFloats = form == Form.Default ? 1 : ScratchFloats(form, s, variant);
        using var a = new Arena(Device, ArenaBytes(s.InputElements, s.WeightElements, s.Cout, s.OutputElements, s.OutputElements, s.InputElements, s.WeightElements, s.Cout, scratchFloats));
        BufferSlice x = a.Add(d.X), w = a.Add(d.W), b = a.Add(d.B), dy = a.Add(d.Dy);
        BufferSlice y = a.Add(py), dx = a.Add(px), dw = a.Add(pw), db = a.Add(pb), scratch = a.Alloc(scratchFloats);
        Record(variant, r =>
        {
            Forward(ForwardForms.Contains(form) ? form : Form.Default, r, s, x, w, b, null, y, accumulate: true);
            BackwardInput(form, r, s, dy, w, dx, form == Form.Default ? null : scratch, accumulate: true);
            BackwardWeight(form, r, s, dy, x, dw, null, accumulate: true);
            Conv2dKernels.BackwardBias(r, s, dy, db, accumulate: true);
        });

        double[] xD = ToDouble(d.X), wD = ToDouble(d.W), dyD = ToDouble(d.Dy);
        string what = $"accumulate {variant} {form} {s}";
        Tolerance.AssertClose(Add(OpRef.Conv2dForward(xD, wD, ToDouble(d.B), s), py), a.Read(y, s.OutputElements), Atol(s.PatchSize), Rtol, "y " + what);
        Tolerance.AssertClose(Add(OpRef.Conv2dBackwardInput(dyD, wD, s), px), a.Read(dx, s.InputElements), Atol(s.PatchSize), Rtol, "dx " + what);
        Tolerance.AssertClose(Add(OpRef.Conv2dBackwardWeight(dyD, xD, s), pw), a.Read(dw, s.WeightElements), Atol(s.OutputElements), Rtol, "dW " + what);
        Tolerance.AssertClose(Add(OpRef.Conv2dBackwardBias(dyD, s), pb), a.Read(db, s.Cout), Atol(s.OutputElements), Rtol, "db " + what);
    }

    // 3x3 stride-1 pad-1 shapes the _cpu Winograd F(2x2,3x3) path takes: odd maps (a partial last tile), odd
    // channels (Cin % 4 != 0 pads the GEMM's k), batch 1 and 3; forced on and off so both paths stay tested.
    public static IEnumerable<object[]> WinogradCases() =>
        from spec in new[] { "1,13,9,7,13,3,3,1,1,1,1", "3,13,9,7,5,3,3,1,1,1,1", "3,4,7,9,70,3,3,1,1,1,1", "1,16,1,1,8,3,3,1,1,1,1", "2,16,28,28,16,3,3,1,1,1,1" }
        from wino in new[] { true, false } select new object[] { spec, wino };

    [Theory, MemberData(nameof(WinogradCases))]
    public void Cpu_winograd_forward_and_backward_input_match_the_cpu_with_every_epilogue(string spec, bool winograd)
    {
        var s = Parse(spec);
        var d = MakeData(s);
        Assert.True(Conv2dKernels.UsesWinograd(s, KernelVariant.Cpu, winograd) == winograd);
        float[] py = d.Prior[..(int)s.OutputElements], px = d.Prior[..(int)s.InputElements];
        long scratchFloats = Math.Max(1, Conv2dKernels.ScratchBytes(s, KernelVariant.Cpu, winograd) / 4);
        using var a = new Arena(Device, ArenaBytes(s.InputElements, s.WeightElements, s.Cout, s.OutputElements, s.OutputElements,
                                                   s.OutputElements, s.OutputElements, s.OutputElements, s.InputElements, s.InputElements, scratchFloats));
        BufferSlice x = a.Add(d.X), w = a.Add(d.W), b = a.Add(d.B), res = a.Add(d.Res), dy = a.Add(d.Dy);
        BufferSlice y = a.Alloc(s.OutputElements), yf = a.Alloc(s.OutputElements), ya = a.Add(py);
        BufferSlice dx = a.Alloc(s.InputElements), dxa = a.Add(px), scratch = a.Alloc(scratchFloats);
        Record(KernelVariant.Cpu, r =>
        {
            Conv2dKernels.Forward(r, s, x, w, null, null, y, scratch: scratch, winograd: winograd);
            Conv2dKernels.Forward(r, s, x, w, b, res, yf, relu: true, scratch: scratch, winograd: winograd);
            Conv2dKernels.Forward(r, s, x, w, b, null, ya, accumulate: true, scratch: scratch, winograd: winograd);
            Conv2dKernels.BackwardInput(r, s, dy, w, dx, scratch, winograd: winograd);
            Conv2dKernels.BackwardInput(r, s, dy, w, dxa, scratch, accumulate: true, winograd: winograd);
        });

        double[] xD = ToDouble(d.X), wD = ToDouble(d.W), dyD = ToDouble(d.Dy);
        var plain = OpRef.Conv2dForward(xD, wD, null, s);
        var biased = OpRef.Conv2dForward(xD, wD, ToDouble(d.B), s);
        var fused = biased.Select((v, i) => Math.Max(0, v + d.Res[i])).ToArray();
        var dxRef = OpRef.Conv2dBackwardInput(dyD, wD, s);
        string what = $"winograd={winograd} {s}";
        double atolY = Atol(s.PatchSize), atolX = Atol((long)s.Cout * 9);
        Tolerance.AssertClose(plain, a.Read(y, s.OutputElements), atolY, Rtol, "y " + what);
        Tolerance.AssertClose(fused, a.Read(yf, s.OutputElements), atolY, Rtol, "y +bias +residual relu " + what);
        Tolerance.AssertClose(Add(biased, py), a.Read(ya, s.OutputElements), atolY, Rtol, "y += " + what);
        Tolerance.AssertClose(dxRef, a.Read(dx, s.InputElements), atolX, Rtol, "dx " + what);
        Tolerance.AssertClose(Add(dxRef, px), a.Read(dxa, s.InputElements), atolX, Rtol, "dx += " + what);
    }

    [Theory]
    [InlineData(KernelVariant.Cpu)]
    [InlineData(KernelVariant.Gpu)]
    public void Every_pass_is_bit_identical_run_to_run(KernelVariant variant)
    {
        var s = Conv2dShape.Square(3, 13, 19, 17, 11, 3, 1, 1);   // long enough for the _gpu split-K path
        var d = MakeData(s);
        long scratchFloats = Math.Max(1, Conv2dKernels.ScratchBytes(s, variant, winograd: true) / 4);
        using var a = new Arena(Device, ArenaBytes(s.InputElements, s.WeightElements, s.Cout, s.OutputElements, s.OutputElements, s.InputElements, s.WeightElements, s.Cout,
                                                   s.OutputElements, s.InputElements, scratchFloats));
        BufferSlice x = a.Add(d.X), w = a.Add(d.W), b = a.Add(d.B), dy = a.Add(d.Dy);
        BufferSlice y = a.Alloc(s.OutputElements), dx = a.Alloc(s.InputElements), dw = a.Alloc(s.WeightElements), db = a.Alloc(s.Cout);
        BufferSlice yw = a.Alloc(s.OutputElements), dxw = a.Alloc(s.InputElements), scratch = a.Alloc(scratchFloats);
        float[][] Once()
        {
            Record(variant, r =>
            {
                Conv2dKernels.Forward(r, s, x, w, b, null, y, relu: true);
                Conv2dKernels.BackwardInput(r, s, dy, w, dx, scratch, winograd: false);
                Conv2dKernels.BackwardWeight(r, s, dy, x, dw, scratch);
                Conv2dKernels.BackwardBias(r, s, dy, db);
                // _cpu: the Winograd passes too (_gpu ignores the request and runs the direct kernels again).
                Conv2dKernels.Forward(r, s, x, w, b, null, yw, relu: true, scratch: scratch, winograd: true);
                Conv2dKernels.BackwardInput(r, s, dy, w, dxw, scratch, winograd: true);
            });
            return [a.Read(y, s.OutputElements), a.Read(dx, s.InputElements), a.Read(dw, s.WeightElements), a.Read(db, s.Cout),
                    a.Read(yw, s.OutputElements), a.Read(dxw, s.InputElements)];
        }
        var first = Once();
        var second = Once();
        string[] names = ["y", "dx", "dW", "db", "y winograd", "dx winograd"];
        for (int i = 0; i < names.Length; i++) Tolerance.AssertBitIdentical(first[i], second[i], $"{names[i]} {variant} {s}");
    }

    [Fact]
    public void Gpu_split_k_weight_gradient_accumulates_and_matches_the_single_pass()
    {
        var s = Conv2dShape.Square(2, 16, 28, 28, 16, 3, 1, 1);
        long scratchFloats = Conv2dKernels.ScratchBytes(s, KernelVariant.Gpu) / 4;
        Assert.True(scratchFloats > s.WeightElements, $"expected a split-K plan for {s}");

        var d = MakeData(s);
        float[] prior = d.Prior[..(int)s.WeightElements];
        using var a = new Arena(Device, ArenaBytes(s.InputElements, s.OutputElements, s.WeightElements, s.WeightElements, scratchFloats));
        BufferSlice x = a.Add(d.X), dy = a.Add(d.Dy), split = a.Add(prior), single = a.Alloc(s.WeightElements), scratch = a.Alloc(scratchFloats);
        Record(KernelVariant.Gpu, r =>
        {
            Conv2dKernels.BackwardWeight(r, s, dy, x, split, scratch, accumulate: true);
            Conv2dKernels.BackwardWeight(r, s, dy, x, single);
        });
        var dw = OpRef.Conv2dBackwardWeight(ToDouble(d.Dy), ToDouble(d.X), s);
        Tolerance.AssertClose(Add(dw, prior), a.Read(split, s.WeightElements), Atol(s.OutputElements), Rtol, $"split-K dW += {s}");
        Tolerance.AssertClose(dw, a.Read(single, s.WeightElements), Atol(s.OutputElements), Rtol, $"single-pass dW {s}");
    }

    [Fact]
    public void Push_constant_block_matches_the_shaders()
    {
        foreach (var name in new[] { "conv2d_forward", "conv2d_backward_input", "conv2d_backward_weight" })
        foreach (var suffix in new[] { "_cpu", "_gpu" })
            Assert.Equal(System.Runtime.CompilerServices.Unsafe.SizeOf<Conv2dPush>(), (int)Device.GetKernel(name + suffix).Interface.PushConstantBytes);
        foreach (var name in new[] { "winograd_weight_cpu", "winograd_input_cpu", "winograd_gemm_cpu",
                                     "winograd4_weight_cpu", "winograd4_input_cpu", "winograd4_gemm_cpu", "winograd4_output_cpu", "winograd_fused_cpu",
                                     "conv2d_weight_phases_cpu", "conv2d_backward_input_phase_cpu", "conv2d_1x1_gemm_cpu",
                                     "conv2d_backward_weight_dy4_cpu" })
            Assert.Equal(System.Runtime.CompilerServices.Unsafe.SizeOf<Conv2dPush>(), (int)Device.GetKernel(name).Interface.PushConstantBytes);
        Assert.Equal(System.Runtime.CompilerServices.Unsafe.SizeOf<BiasGradPush>(), (int)Device.GetKernel("bias_grad").Interface.PushConstantBytes);
        Assert.Equal(System.Runtime.CompilerServices.Unsafe.SizeOf<SplitKReducePush>(), (int)Device.GetKernel("splitk_reduce").Interface.PushConstantBytes);
    }

    [Fact]
    public void A_buffer_too_small_for_the_shape_is_refused_with_the_shape_in_the_message()
    {
        var s = Conv2dShape.Square(2, 3, 5, 5, 4, 3, 1, 1);
        using var a = new Arena(Device, ArenaBytes(s.InputElements, s.WeightElements, 4));
        BufferSlice x = a.Alloc(s.InputElements), w = a.Alloc(s.WeightElements), y = a.Alloc(4);
        var e = Assert.Throws<ArgumentException>(() => Record(KernelVariant.Cpu, r => Conv2dKernels.Forward(r, s, x, w, null, null, y)));
        Assert.Contains("y holds", e.Message);
    }

    [Theory]
    [InlineData(Form.PhaseBackwardInput, "3,13,9,7,11,3,3,2,2,1,1")]
    [InlineData(Form.Gemm1x1, "3,13,9,7,21,1,1,2,2,0,0")]
    public void A_form_given_too_little_scratch_or_a_shape_it_does_not_take_is_refused(Form form, string spec)
    {
        var s = Parse(spec);
        using var a = new Arena(Device, ArenaBytes(s.InputElements, s.WeightElements, s.OutputElements, 4));
        BufferSlice dx = a.Alloc(s.InputElements), w = a.Alloc(s.WeightElements), dy = a.Alloc(s.OutputElements), scratch = a.Alloc(4);
        var e = Assert.Throws<ArgumentException>(() => Record(KernelVariant.Cpu, r => BackwardInput(form, r, s, dy, w, dx, scratch)));
        Assert.Contains("scratch holds 16 bytes", e.Message);
        Assert.Contains(s.ToString(), e.Message);
    }
}
