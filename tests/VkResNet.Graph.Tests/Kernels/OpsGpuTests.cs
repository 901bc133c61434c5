using System.Runtime.CompilerServices;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Embedding;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Ops;
using VkResNet.Graph.Tests.Reference;
using VkResNet.Runtime;
using VkResNet.Runtime.Tests;
using Xunit;
using static VkResNet.Graph.Tests.Reference.OpsTestKit;

namespace VkResNet.Graph.Tests.Kernels;

/// <summary>
/// Every non-conv kernel on the device (lavapipe here) against its CPU double-precision reference on
/// random data with odd shapes; reductions are also run twice and must be bit-identical.
/// Inputs are float-rounded before the reference sees them, so only the kernel's arithmetic differs.
/// </summary>
public sealed class OpsGpuTests(GpuFixture gpu) : OpsGpuTest(gpu)
{
    // H*W odd -> scalar kernels; H*W a multiple of 4 -> the _vec4 variants (BatchNormKernels.PerChannelKernel).
    public static TheoryData<int, int, int, int> BatchNormShapes => new()
    {
        { 1, 13, 9, 7 }, { 3, 13, 9, 7 }, { 3, 5, 1, 1 }, { 1, 13, 2, 2 }, { 3, 13, 8, 8 }, { 2, 3, 17, 16 }, { 3, 4, 32, 32 },
        { 5, 3, 5, 5 }, { 40, 2, 4, 6 }, // planes under WG_SIZE that do not divide it: steps cross 2 or 10 planes, some lanes one more (bn_next)
    };

    private sealed record BnData(NchwShape S, double[] X, double[] Residual, double[] Gamma, double[] Beta, double[] Rm, double[] Rv, double[] Dy);

    private static BnData MakeBn(int n, int c, int h, int w, int seed)
    {
        var s = new NchwShape(n, c, h, w);
        int count = (int)s.Count;
        return new BnData(s,
            FloatRounded(Random(count, seed, -2, 3)), FloatRounded(Random(count, seed + 1)),
            FloatRounded(Random(c, seed + 2, 0.5, 1.5)), FloatRounded(Random(c, seed + 3)),
            FloatRounded(Random(c, seed + 4)), FloatRounded(Random(c, seed + 5, 0.5, 2)),
            FloatRounded(Random(count, seed + 6)));
    }

    // Split launches (BatchNormKernels.Split): one image a slice, and two (the last slice one short where N is odd).
    public static TheoryData<int, int, int, int, int> BatchNormSplitShapes => new()
    {
        { 3, 13, 9, 7, 1 }, { 3, 5, 1, 1, 2 }, { 3, 13, 8, 8, 1 }, { 2, 3, 17, 16, 1 }, { 3, 4, 32, 32, 2 },
        { 5, 3, 5, 5, 2 }, { 40, 2, 4, 6, 3 }, { 7, 3, 3, 3, 2 },
    };

    /// <summary>The target workgroups that split each channel of <paramref name="s"/> into slices of <paramref name="images"/> images.</summary>
    private static int SplitTarget(NchwShape s, int images)
    {
        int target = s.C * ((s.N + images - 1) / images);
        Assert.True(BatchNormKernels.Split(s, target) == ((s.N + images - 1) / images, images) && BatchNormKernels.ScratchBytes(s, target) > 0,
            $"shape {s}: {images} images a slice should split the launch");
        return target;
    }

    /// <summary>Scratch for a split launch (none for the one-workgroup kernels, target 0).</summary>
    private BufferSlice? SplitScratch(NchwShape s, int target) =>
        target == 0 ? null : Output(BatchNormKernels.ScratchBytes(s, target) / 4, "scratch");

    /// <summary>Runs the training forward (plain or fused add+relu) and returns y, mean, invstd, running mean, running var.</summary>
    private float[][] RunBnForward(BnData d, bool fused, int target = 0)
    {
        var s = d.S;
        var x = Upload(d.X, "x");
        var r = Upload(d.Residual, "residual");
        var gamma = Upload(d.Gamma, "gamma");
        var beta = Upload(d.Beta, "beta");
        var rm = Upload(d.Rm, "running_mean");
        var rv = Upload(d.Rv, "running_var");
        var y = Output(s.Count, "y");
        var mean = Output(s.C, "saved_mean");
        var invstd = Output(s.C, "saved_invstd");
        var scratch = SplitScratch(s, target);
        Run(rec =>
        {
            if (fused)
                BatchNormKernels.ForwardTrainAddRelu(rec, s, x, r, gamma, beta, y, mean, invstd, rm, rv, 1e-5f, 0.1f, scratch, target);
            else
                BatchNormKernels.ForwardTrain(rec, s, x, gamma, beta, y, mean, invstd, rm, rv, 1e-5f, 0.1f, scratch, target);
        });
        return [Read(y, s.Count), Read(mean, s.C), Read(invstd, s.C), Read(rm, s.C), Read(rv, s.C)];
    }

    [Theory, MemberData(nameof(BatchNormShapes))]
    public void BatchNormForwardTrain_MatchesCpu(int n, int c, int h, int w) => CheckBnForward(n, c, h, w, fused: false);

    [Theory, MemberData(nameof(BatchNormShapes))]
    public void BnAddReluForward_MatchesCpu(int n, int c, int h, int w) => CheckBnForward(n, c, h, w, fused: true);

    [Theory, MemberData(nameof(BatchNormSplitShapes))]
    public void BatchNormForwardTrain_Split_MatchesCpu(int n, int c, int h, int w, int images) =>
        CheckBnForward(n, c, h, w, fused: false, images);

    [Theory, MemberData(nameof(BatchNormSplitShapes))]
    public void BnAddReluForward_Split_MatchesCpu(int n, int c, int h, int w, int images) =>
        CheckBnForward(n, c, h, w, fused: true, images);

    private void CheckBnForward(int n, int c, int h, int w, bool fused, int images = 0)
    {
        var d = MakeBn(n, c, h, w, 100);
        var e = fused
            ? OpRef.BatchNorm.ForwardTrainAddRelu(d.X, d.Residual, d.Gamma, d.Beta, d.Rm, d.Rv, d.S)
            : OpRef.BatchNorm.ForwardTrain(d.X, d.Gamma, d.Beta, d.Rm, d.Rv, d.S);
        var g = RunBnForward(d, fused, images == 0 ? 0 : SplitTarget(d.S, images));
        string p = $"shape {d.S}, fused {fused}, {(images == 0 ? "one workgroup a channel" : $"{images} images a slice")}";
        AssertClose(e.Y, g[0], 1e-4, 1e-4, "y", p);
        AssertClose(e.SavedMean, g[1], 1e-5, 1e-5, "saved mean", p);
        AssertClose(e.SavedInvStd, g[2], 1e-5, 1e-4, "saved invstd", p);
        AssertClose(e.RunningMean, g[3], 1e-5, 1e-5, "running mean", p);
        AssertClose(e.RunningVar, g[4], 1e-5, 1e-4, "running var", p);
    }

    [Fact]
    public void A_batch_norm_channel_as_long_as_a_CPU_type_device_may_walk_is_reduced_in_full()
    {
        // The longest channel the guard lets through (LoopBudget.RequireChannelWalk): on lavapipe one element more
        // is refused, and a budget counted too loosely here would come back as partial sums (a wrong mean).
        long fit = LoopBudget.ChannelElementsThatFit(passes: 2, perStep: 4);
        int n = (int)(fit / 4096);
        var d = MakeBn(n, 1, 64, 64, 300);
        var e = OpRef.BatchNorm.ForwardTrain(d.X, d.Gamma, d.Beta, d.Rm, d.Rv, d.S);
        var g = RunBnForward(d, fused: false);
        string p = $"shape {d.S} ({d.S.Count} of the {fit} elements a channel may have)";
        AssertClose(e.SavedMean, g[1], 1e-5, 1e-5, "saved mean", p);
        AssertClose(e.SavedInvStd, g[2], 1e-5, 1e-4, "saved invstd", p);
        AssertClose(e.Y, g[0], 1e-4, 1e-4, "y", p);
    }

    [Fact]
    public void A_batch_norm_channel_longer_than_the_one_workgroup_kernels_may_walk_is_split_and_reduced_in_full()
    {
        // Past the one-workgroup kernels' budget the split form takes at least two slices (BatchNormKernels.Split), so a
        // graph, which gives it scratch, trains a batch those kernels would refuse; each slice's walk stays within budget.
        long fit = LoopBudget.ChannelElementsThatFit(passes: 2, perStep: 4);
        int n = (int)(fit / 4096) + 8;
        var d = MakeBn(n, 1, 64, 64, 310);
        Assert.True(BatchNormKernels.Split(d.S, 1).Slices == 2, $"shape {d.S}: {BatchNormKernels.Split(d.S, 1)}");
        var e = OpRef.BatchNorm.ForwardTrain(d.X, d.Gamma, d.Beta, d.Rm, d.Rv, d.S);
        var g = RunBnForward(d, fused: false, target: 1);
        string p = $"shape {d.S} ({d.S.Count} elements a channel, over the {fit} the one-workgroup kernels may walk)";
        AssertClose(e.SavedMean, g[1], 1e-5, 1e-5, "saved mean", p);
        AssertClose(e.SavedInvStd, g[2], 1e-5, 1e-4, "saved invstd", p);
        AssertClose(e.Y, g[0], 1e-4, 1e-4, "y", p);
    }

    [Theory]
    [InlineData(9, 7, 100.0, 0.01)]
    [InlineData(8, 8, 100.0, 0.01)]
    [InlineData(8, 8, -1000.0, 1.0)]
    public void BatchNormForwardTrain_LargeMeanSmallSpread_KeepsVariance(int h, int w, double offset, double spread)
    {
        // One-pass statistics must not cancel when |mean| >> std (inputs after a conv with a large bias).
        var s = new NchwShape(3, 5, h, w);
        var x = FloatRounded(Random((int)s.Count, 150, offset - spread, offset + spread));
        var ones = Enumerable.Repeat(1.0, s.C).ToArray();
        var zeros = new double[s.C];
        var d = new BnData(s, x, zeros, ones, zeros, zeros, ones, zeros);
        var e = OpRef.BatchNorm.ForwardTrain(x, ones, zeros, zeros, ones, s);
        var g = RunBnForward(d, fused: false);
        string p = $"shape {s}, x in {offset} +- {spread}";
        AssertClose(e.SavedInvStd, g[2], 0, 1e-4, "saved invstd", p);
        AssertClose(e.Y, g[0], 2e-3, 1e-3, "y", p);
    }

    [Theory, MemberData(nameof(BatchNormShapes))]
    public void BatchNormForwardInfer_MatchesCpu(int n, int c, int h, int w)
    {
        var d = MakeBn(n, c, h, w, 200);
        var s = d.S;
        var x = Upload(d.X, "x");
        var gamma = Upload(d.Gamma, "gamma");
        var beta = Upload(d.Beta, "beta");
        var rm = Upload(d.Rm, "running_mean");
        var rv = Upload(d.Rv, "running_var");
        var y = Output(s.Count, "y");
        Run(rec => BatchNormKernels.ForwardInfer(rec, s, x, gamma, beta, rm, rv, y));
        AssertClose(OpRef.BatchNorm.ForwardInfer(d.X, d.Gamma, d.Beta, d.Rm, d.Rv, s), Read(y, s.Count), 1e-5, 1e-5, "y", $"shape {s}");
    }

    /// <summary>Backward (plain or fused) from CPU-made saved statistics; returns dx, dgamma, dbeta, dresidual.</summary>
    private float[][] RunBnBackward(BnData d, bool fused, double[] yForward, double[] mean, double[] invstd, int target = 0)
    {
        var s = d.S;
        var dy = Upload(d.Dy, "dy");
        var y = Upload(yForward, "y");
        var x = Upload(d.X, "x");
        var gamma = Upload(d.Gamma, "gamma");
        var sm = Upload(mean, "saved_mean");
        var si = Upload(invstd, "saved_invstd");
        var dx = Output(s.Count, "dx");
        var dres = Output(s.Count, "dresidual");
        var dgamma = Output(s.C, "dgamma");
        var dbeta = Output(s.C, "dbeta");
        var scratch = SplitScratch(s, target);
        Run(rec =>
        {
            if (fused)
                BatchNormKernels.BackwardAddRelu(rec, s, dy, y, x, gamma, sm, si, dx, dres, dgamma, dbeta, scratch, target);
            else
                BatchNormKernels.Backward(rec, s, dy, x, gamma, sm, si, dx, dgamma, dbeta, scratch, target);
        });
        return [Read(dx, s.Count), Read(dgamma, s.C), Read(dbeta, s.C), fused ? Read(dres, s.Count) : []];
    }

    [Theory, MemberData(nameof(BatchNormShapes))]
    public void BatchNormBackward_MatchesCpu(int n, int c, int h, int w) => CheckBnBackward(n, c, h, w, fused: false);

    [Theory, MemberData(nameof(BatchNormShapes))]
    public void BnAddReluBackward_MatchesCpu(int n, int c, int h, int w) => CheckBnBackward(n, c, h, w, fused: true);

    [Theory, MemberData(nameof(BatchNormSplitShapes))]
    public void BatchNormBackward_Split_MatchesCpu(int n, int c, int h, int w, int images) =>
        CheckBnBackward(n, c, h, w, fused: false, images);

    [Theory, MemberData(nameof(BatchNormSplitShapes))]
    public void BnAddReluBackward_Split_MatchesCpu(int n, int c, int h, int w, int images) =>
        CheckBnBackward(n, c, h, w, fused: true, images);

    private void CheckBnBackward(int n, int c, int h, int w, bool fused, int images = 0)
    {
        var d = MakeBn(n, c, h, w, 300);
        var f = fused
            ? OpRef.BatchNorm.ForwardTrainAddRelu(d.X, d.Residual, d.Gamma, d.Beta, d.Rm, d.Rv, d.S)
            : OpRef.BatchNorm.ForwardTrain(d.X, d.Gamma, d.Beta, d.Rm, d.Rv, d.S);
        // The GPU sees float-rounded saved statistics and y; the reference uses the same values.
        var y = FloatRounded(f.Y);
        var mean = FloatRounded(f.SavedMean);
        var invstd = FloatRounded(f.SavedInvStd);
        var e = fused
            ? OpRef.BatchNorm.BackwardAddRelu(d.Dy, y, d.X, d.Gamma, mean, invstd, d.S)
            : OpRef.BatchNorm.Backward(d.Dy, d.X, d.Gamma, mean, invstd, d.S);
        var g = RunBnBackward(d, fused, y, mean, invstd, images == 0 ? 0 : SplitTarget(d.S, images));
        string p = $"shape {d.S}, fused {fused}, {(images == 0 ? "one workgroup a channel" : $"{images} images a slice")}";
        AssertClose(e.Dx, g[0], 1e-4, 1e-3, "dx", p);
        AssertClose(e.Dgamma, g[1], 1e-4, 1e-4, "dgamma", p);
        AssertClose(e.Dbeta, g[2], 1e-4, 1e-4, "dbeta", p);
        if (fused)
            AssertMoved(e.Dresidual!, g[3], "dresidual", p); // dy masked by y > 0
    }

    [Theory]
    [InlineData(false, 7, 0)]
    [InlineData(true, 7, 0)]
    [InlineData(false, 8, 0)]
    [InlineData(true, 8, 0)]
    [InlineData(false, 7, 1)]
    [InlineData(true, 8, 2)]
    public void BatchNormReductions_AreBitIdenticalAcrossRuns(bool fused, int w, int images)
    {
        var d = MakeBn(3, 13, 9, w, 400);
        var f = OpRef.BatchNorm.ForwardTrain(d.X, d.Gamma, d.Beta, d.Rm, d.Rv, d.S);
        var args = (FloatRounded(f.Y), FloatRounded(f.SavedMean), FloatRounded(f.SavedInvStd));
        int target = images == 0 ? 0 : SplitTarget(d.S, images);
        var first = RunBnForward(d, fused, target).Concat(RunBnBackward(d, fused, args.Item1, args.Item2, args.Item3, target)).ToArray();
        var second = RunBnForward(d, fused, target).Concat(RunBnBackward(d, fused, args.Item1, args.Item2, args.Item3, target)).ToArray();
        for (int i = 0; i < first.Length; i++)
            Tolerance.AssertBitIdentical(first[i], second[i], $"output {i} (y, mean, invstd, rm, rv, dx, dgamma, dbeta, dres), fused {fused}, images a slice {images}");
    }

    public static TheoryData<string, int> ElementwiseCases => new()
    {
        { "relu_forward", 1 }, { "relu_forward", 63 }, { "relu_forward", 3 * 13 * 9 * 7 },
        { "relu_backward", 2 }, { "relu_backward", 3 * 13 * 9 * 7 },
        { "residual_add", 3 }, { "residual_add", 1229 },
        { "accumulate", 5 }, { "accumulate", 3 * 13 * 9 * 7 },
    };

    [Theory, MemberData(nameof(ElementwiseCases))]
    public void Elementwise_MatchesCpu(string op, int count)
    {
        var a = FloatRounded(Random(count, 500));
        var b = FloatRounded(Random(count, 501));
        var sa = Upload(a, "a");
        var sb = Upload(b, "b");
        var y = op == "accumulate" ? sb : Output(count, "y");
        double[] expected = op switch
        {
            "relu_forward" => OpRef.Elementwise.ReluForward(a),
            "relu_backward" => OpRef.Elementwise.ReluBackward(a, b), // dy = a, y = b
            "residual_add" => OpRef.Elementwise.Add(a, b),
            "accumulate" => OpRef.Elementwise.Accumulate(a, b),
            _ => throw new ArgumentException(op),
        };
        Run(rec =>
        {
            switch (op)
            {
                case "relu_forward": ReluOp.Launch(rec, count, sa, y); break;
                case "relu_backward": ReluBackwardOp.Launch(rec, count, sa, sb, y); break;
                case "residual_add": AddOp.Launch(rec, count, sa, sb, y); break;
                case "accumulate": AccumulateOp.Launch(rec, count, sa, y); break;
            }
        });
        AssertClose(expected, Read(y, count), 1e-7, 1e-6, "y", $"{op}, count {count}");
    }

    public static TheoryData<int, int, int, int, int, int, int> MaxPoolCases => new()
    {
        // n, c, h, w, kernel, stride, pad
        { 1, 13, 9, 7, 3, 2, 1 }, { 3, 13, 9, 7, 3, 2, 1 }, { 3, 2, 16, 16, 3, 2, 1 }, { 2, 3, 7, 5, 2, 2, 0 },
        { 1, 2, 5, 6, 3, 1, 1 }, { 1, 1, 1, 1, 3, 2, 1 },
        { 5, 3, 2, 3, 3, 2, 1 }, // 2 outputs a plane: an invocation's 4 cross planes and images
    };

    [Theory, MemberData(nameof(MaxPoolCases))]
    public void MaxPool_ForwardAndBackward_MatchCpu(int n, int c, int h, int w, int k, int stride, int pad)
    {
        var s = new MaxPoolShape(new NchwShape(n, c, h, w), k, stride, pad);
        var x = FloatRounded(Random((int)s.Input.Count, 600));
        var dy = FloatRounded(Random((int)s.Output.Count, 601));
        var (ey, eidx) = OpRef.Pool.MaxForward(x, s);
        var edx = OpRef.Pool.MaxBackward(dy, eidx, s);
        var sx = Upload(x, "x");
        var sdy = Upload(dy, "dy");
        var y = Output(s.Output.Count, "y");
        var idx = Output(s.Output.Count, "indices");
        var dx = Output(s.Input.Count, "dx");
        Run(rec =>
        {
            MaxPoolOp.Launch(rec, s, sx, y, idx);
            MaxPoolBackwardOp.Launch(rec, s, sdy, idx, dx);
        });
        string p = $"{s}";
        AssertMoved(ey, Read(y, s.Output.Count), "y", p); // the window's maximum, selected
        Assert.True(eidx.SequenceEqual(ReadInts(idx, s.Output.Count)), $"indices differ ({p})");
        AssertClose(edx, Read(dx, s.Input.Count), 1e-6, 1e-6, "dx", p);
    }

    public static TheoryData<int, int, int, int> PoolShapes => new()
    {
        { 1, 13, 9, 7 }, { 3, 13, 9, 7 }, { 3, 5, 1, 1 }, { 2, 64, 8, 8 },
        { 65537, 65, 1, 1 }, // 4.26M planes: more than 65535 groups of 64, so the forward runs on a 2-D grid
    };

    [Theory, MemberData(nameof(PoolShapes))]
    public void GlobalAvgPool_ForwardAndBackward_MatchCpu(int n, int c, int h, int w)
    {
        var s = new NchwShape(n, c, h, w);
        var x = FloatRounded(Random((int)s.Count, 700));
        var dy = FloatRounded(Random(n * c, 701));
        var sx = Upload(x, "x");
        var sdy = Upload(dy, "dy");
        var y = Output(n * c, "y");
        var dx = Output(s.Count, "dx");
        Run(rec =>
        {
            GlobalAvgPoolOp.Launch(rec, s, sx, y);
            GlobalAvgPoolBackwardOp.Launch(rec, s, sdy, dx);
        });
        string p = $"shape {s}";
        AssertClose(OpRef.Pool.GlobalAvgForward(x, s), Read(y, n * c), 1e-6, 1e-5, "y", p);
        AssertClose(OpRef.Pool.GlobalAvgBackward(dy, s), Read(dx, s.Count), 1e-7, 1e-6, "dx", p);
    }

    public static TheoryData<int, int, int, int, int, int, int> ShortcutCases => new()
    {
        // n, cin, h, w, cout, stride, pad front (-1: default (cout - cin) / 2)
        { 1, 5, 9, 7, 13, 2, -1 }, { 3, 16, 8, 8, 32, 2, -1 }, { 2, 3, 5, 5, 7, 2, 0 }, { 1, 3, 4, 3, 6, 1, 3 },
        { 3, 2, 1, 1, 4, 2, -1 }, { 2, 2, 7, 5, 6, 3, 1 }, // four elements an invocation crossing planes and images; stride 3
    };

    [Theory, MemberData(nameof(ShortcutCases))]
    public void ShortcutZeroPad_ForwardAndBackward_MatchCpu(int n, int cin, int h, int w, int cout, int stride, int front)
    {
        var input = new NchwShape(n, cin, h, w);
        var s = front < 0 ? new ShortcutZeroPadShape(input, cout, stride) : new ShortcutZeroPadShape(input, cout, stride, front);
        var x = FloatRounded(Random((int)input.Count, 800));
        var dy = FloatRounded(Random((int)s.Output.Count, 801));
        var sx = Upload(x, "x");
        var sdy = Upload(dy, "dy");
        var y = Output(s.Output.Count, "y");
        var dx = Output(input.Count, "dx");
        Run(rec =>
        {
            ShortcutZeroPadOp.Launch(rec, s, sx, y);
            ShortcutZeroPadBackwardOp.Launch(rec, s, sdy, dx);
        });
        string p = $"{s}";
        AssertMoved(OpRef.Shortcut.ZeroPadForward(x, s), Read(y, s.Output.Count), "y", p); // strided copies and zeros
        AssertMoved(OpRef.Shortcut.ZeroPadBackward(dy, s), Read(dx, input.Count), "dx", p);
    }

    public static TheoryData<int, int, double> SoftmaxCases => new()
    {
        { 1, 10, 0.0 }, { 3, 10, 0.1 }, { 7, 13, 0.0 }, { 130, 10, 0.0 }, { 5, 1000, 0.1 },
    };

    [Theory, MemberData(nameof(SoftmaxCases))]
    public void SoftmaxCrossEntropy_ForwardAndBackward_MatchCpu(int batch, int classes, double smoothing)
    {
        // Logits up to +-30: exp would overflow float without the max shift.
        var logits = FloatRounded(Random(batch * classes, 900, -30, 30));
        var labels = RandomLabels(batch, classes, 901);
        for (int i = 0; i < batch; i += 3) // make some predictions right so the count is exercised
        {
            int best = 0;
            for (int k = 1; k < classes; k++)
                if (logits[i * classes + k] > logits[i * classes + best]) best = k;
            labels[i] = best;
        }
        var (loss, correct) = OpRef.SoftmaxCrossEntropy.Forward(logits, labels, batch, classes, smoothing);
        var edl = OpRef.SoftmaxCrossEntropy.Backward(logits, labels, batch, classes, smoothing);
        var sl = Upload(logits, "logits");
        var slab = UploadInts(labels);
        var result = Output(SoftmaxCrossEntropyOp.ResultFloats, "result");
        var dl = Output(batch * classes, "dlogits");
        Run(rec =>
        {
            SoftmaxCrossEntropyOp.Launch(rec, batch, classes, sl, slab, result, (float)smoothing);
            SoftmaxCrossEntropyBackwardOp.Launch(rec, batch, classes, sl, slab, dl, (float)smoothing);
        });
        string p = $"batch {batch}, classes {classes}, smoothing {smoothing}";
        var r = Read(result, 2);
        AssertClose([loss], r[..1], 1e-4, 1e-5, "mean loss", p);
        Tolerance.AssertCounts(new double[] { correct }, r[1..], $"correct count ({p})");
        AssertClose(edl, Read(dl, batch * classes), 1e-7, 1e-4, "dlogits", p);
    }

    [Fact]
    public void SoftmaxCrossEntropyForward_IsBitIdenticalAcrossRuns()
    {
        const int batch = 130, classes = 10;
        var sl = Upload(FloatRounded(Random(batch * classes, 950, -5, 5)), "logits");
        var slab = UploadInts(RandomLabels(batch, classes, 951));
        var result = Output(2, "result");
        float[] RunOnce()
        {
            Run(rec => SoftmaxCrossEntropyOp.Launch(rec, batch, classes, sl, slab, result, 0.1f));
            return Read(result, 2);
        }
        Tolerance.AssertBitIdentical(RunOnce(), RunOnce(), "loss and correct count");
    }

    public static TheoryData<int, double, double, bool> SgdCases => new()
    {
        { 1, 0.0, 0.0, false }, { 63, 0.9, 1e-4, false }, { 1229, 0.9, 5e-4, true },
    };

    [Theory, MemberData(nameof(SgdCases))]
    public void SgdUpdate_TwoStepsMatchCpu(int count, double mu, double wd, bool nesterov)
    {
        var w = FloatRounded(Random(count, 1000));
        var v = new double[count];
        var g1 = FloatRounded(Random(count, 1001));
        var g2 = FloatRounded(Random(count, 1002));
        var sw = Upload(w, "w");
        var sv = Upload(v, "v");
        var sg1 = Upload(g1, "g1");
        var sg2 = Upload(g2, "g2");
        var lr1 = Upload([0.1], "lr1");
        var lr2 = Upload([0.05], "lr2");
        Run(rec =>
        {
            SgdUpdateOp.Launch(rec, count, sg1, lr1, sw, sv, (float)mu, (float)wd, nesterov);
            SgdUpdateOp.Launch(rec, count, sg2, lr2, sw, sv, (float)mu, (float)wd, nesterov);
        });
        OpRef.Sgd.Update(g1, (float)0.1, w, v, (float)mu, (float)wd, nesterov);
        OpRef.Sgd.Update(g2, (float)0.05, w, v, (float)mu, (float)wd, nesterov);
        string p = $"count {count}, momentum {mu}, wd {wd}, nesterov {nesterov}";
        AssertClose(w, Read(sw, count), 1e-6, 1e-5, "weight", p);
        AssertClose(v, Read(sv, count), 1e-6, 1e-5, "velocity", p);
    }

    [Fact]
    public void SgdUpdate_ReplayedCommandList_FollowsTheLrBuffer()
    {
        // The LR lives in a buffer so a schedule needs no re-recording: record once, replay with new LRs.
        const int count = 37;
        var w = FloatRounded(Random(count, 1100));
        var v = new double[count];
        var g = FloatRounded(Random(count, 1101));
        var sw = Upload(w, "w");
        var sv = Upload(v, "v");
        var sg = Upload(g, "g");
        var lr = Upload([0.0], "lr");
        using var cl = Device.CreateCommandList();
        using var rec = new CommandRecorder(Device, cl);
        cl.Begin(reusable: true);
        cl.TransferToComputeBarrier();
        SgdUpdateOp.Launch(rec, count, sg, lr, sw, sv, 0.9f, 1e-4f, nesterov: false);
        cl.ComputeToTransferBarrier();
        cl.End();
        foreach (float rate in new[] { 0.1f, 0.01f, 0.001f })
        {
            Device.Upload<float>(lr, [rate, 0, 0, 0]);
            cl.Submit();
            cl.Wait();
            OpRef.Sgd.Update(g, rate, w, v, (float)0.9, (float)1e-4, false);
            AssertClose(w, Read(sw, count), 1e-6, 1e-5, "weight", $"after the replay with lr {rate}");
        }
    }

    public static TheoryData<string, int> PushSizes => new()
    {
        { "batchnorm_forward_train", Unsafe.SizeOf<BatchNormTrainPush>() },
        { "batchnorm_forward_train_vec4", Unsafe.SizeOf<BatchNormTrainPush>() },
        { "bn_add_relu_forward_vec4", Unsafe.SizeOf<BatchNormTrainPush>() },
        { "batchnorm_backward_vec4", Unsafe.SizeOf<BatchNormBackwardPush>() },
        { "bn_add_relu_backward_vec4", Unsafe.SizeOf<BatchNormBackwardPush>() },
        { "bn_add_relu_forward", Unsafe.SizeOf<BatchNormTrainPush>() },
        { "batchnorm_forward_infer", Unsafe.SizeOf<BatchNormInferPush>() },
        { "batchnorm_backward", Unsafe.SizeOf<BatchNormBackwardPush>() },
        { "bn_add_relu_backward", Unsafe.SizeOf<BatchNormBackwardPush>() },
        { "relu_forward", Unsafe.SizeOf<ElementwisePush>() },
        { "relu_backward", Unsafe.SizeOf<ElementwisePush>() },
        { "residual_add", Unsafe.SizeOf<ElementwisePush>() },
        { "accumulate", Unsafe.SizeOf<ElementwisePush>() },
        { "maxpool_forward", Unsafe.SizeOf<MaxPoolPush>() },
        { "maxpool_backward", Unsafe.SizeOf<MaxPoolPush>() },
        { "global_avgpool_forward", Unsafe.SizeOf<GlobalAvgPoolPush>() },
        { "global_avgpool_backward", Unsafe.SizeOf<GlobalAvgPoolPush>() },
        { "shortcut_zeropad_forward", Unsafe.SizeOf<ShortcutZeroPadPush>() },
        { "shortcut_zeropad_backward", Unsafe.SizeOf<ShortcutZeroPadPush>() },
        { "softmax_cross_entropy_forward", Unsafe.SizeOf<SoftmaxCrossEntropyPush>() },
        { "softmax_cross_entropy_backward", Unsafe.SizeOf<SoftmaxCrossEntropyPush>() },
        { "sgd_update", Unsafe.SizeOf<SgdPush>() },
        { "rgba8_to_nchw", Unsafe.SizeOf<Rgba8ToNchwPush>() },
        { "rgba8_image_to_nchw", Unsafe.SizeOf<Rgba8ImageToNchwPush>() },
    };

    [Theory, MemberData(nameof(PushSizes))]
    public void PushConstantStruct_MatchesShaderBlock(string kernel, int structBytes)
    {
        var reflected = Device.GetKernel(kernel).Interface.PushConstantBytes;
        Assert.True(reflected == structBytes && structBytes <= 128,
            $"{kernel}: shader push block {reflected} bytes, C# struct {structBytes} bytes (limit 128)");
    }
}
