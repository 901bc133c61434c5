using VkResNet.Graph.Kernels;
using VkResNet.Graph.Ops;
using VkResNet.Graph.Tests.Reference;
using VkResNet.Runtime;
using VkResNet.Runtime.Tests;
using Xunit;
using static VkResNet.Graph.Tests.Reference.OpsTestKit;

namespace VkResNet.Graph.Tests.Kernels;

/// <summary>
/// SyncBatchNorm's split training forward (batchnorm_stats + host sum + batchnorm_apply) on the device against the
/// CPU double references in BatchNormStatsOp / BatchNormApplyOp, on odd shapes; and the property SyncBatchNorm
/// exists for: two "ranks" each holding half a batch, their statistics summed between the passes, give what
/// batch norm gives on the whole batch.
/// </summary>
public sealed class SyncBatchNormGpuTests(GpuFixture gpu) : OpsGpuTest(gpu)
{
    public static TheoryData<int, int, int, int> Shapes => new()
    {
        { 1, 13, 9, 7 }, { 3, 5, 1, 1 }, { 2, 3, 17, 16 }, { 3, 4, 32, 32 }, { 1, 1, 1, 1 },
    };

    static double[] Channels(int c, int seed, double lo, double hi) => FloatRounded(Random(c, seed, lo, hi));

    [Theory, MemberData(nameof(Shapes))]
    public void Stats_MatchCpu(int n, int c, int h, int w)
    {
        var s = new NchwShape(n, c, h, w);
        var x = FloatRounded(Random((int)s.Count, 300, -2, 3));
        var shift = Channels(c, 301, -0.5, 1);
        var stats = Output(2 * c, "stats");
        var sx = Upload(x, "x");
        var sshift = Upload(shift, "shift");
        Run(r => SyncBatchNormKernels.Stats(r, s, sx, sshift, stats));
        AssertClose(BatchNormStatsOp.Reference(x, shift, s), Read(stats, 2 * c), 1e-3, 1e-4, "stats", $"shape {s}");
    }

    public static TheoryData<int, int, int, int, bool> FusedShapes => new()
    {
        { 1, 13, 9, 7, false }, { 3, 5, 1, 1, false }, { 2, 3, 17, 16, false }, { 3, 4, 32, 32, false }, { 1, 1, 1, 1, false },
        { 1, 13, 9, 7, true }, { 3, 5, 1, 1, true }, { 2, 3, 17, 16, true },
    };

    [Theory, MemberData(nameof(FusedShapes))]
    public void Apply_MatchesCpu(int n, int c, int h, int w, bool fused)
    {
        // The sums as if a second rank held a batch of the same size: count is twice this replica's N*H*W.
        var s = new NchwShape(n, c, h, w);
        long count = 2L * n * h * w;
        var x = FloatRounded(Random((int)s.Count, 310, -2, 3));
        var rm = Channels(c, 311, -0.5, 1);
        var rv = Channels(c, 312, 0.5, 2);
        var gamma = Channels(c, 313, 0.5, 1.5);
        var beta = Channels(c, 314, -1, 1);
        var local = BatchNormStatsOp.Reference(x, rm, s);
        var other = BatchNormStatsOp.Reference(FloatRounded(Random((int)s.Count, 315, -1, 4)), rm, s);
        var stats = FloatRounded(local.Zip(other, (a, b) => a + b).ToArray());
        var residual = fused ? FloatRounded(Random((int)s.Count, 316)) : null;
        var e = BatchNormApplyOp.Reference(x, gamma, beta, stats, rm, rv, s, count, residual: residual);
        var g = RunApply(s, count, x, gamma, beta, stats, rm, rv, residual);
        string p = $"shape {s}, count {count}, fused {fused}";
        AssertClose(e.Y, g[0], 1e-4, 1e-4, "y", p);
        AssertClose(e.SavedMean, g[1], 1e-5, 1e-5, "saved mean", p);
        AssertClose(e.SavedInvStd, g[2], 1e-5, 1e-4, "saved invstd", p);
        AssertClose(e.RunningMean, g[3], 1e-5, 1e-5, "running mean", p);
        AssertClose(e.RunningVar, g[4], 1e-5, 1e-4, "running var", p);
    }

    float[][] RunApply(NchwShape s, long count, double[] x, double[] gamma, double[] beta, double[] stats, double[] rm, double[] rv,
                       double[]? residual = null)
    {
        BufferSlice? sr = residual is null ? null : Upload(residual, "residual");
        var sx = Upload(x, "x");
        var sg = Upload(gamma, "gamma");
        var sb = Upload(beta, "beta");
        var st = Upload(stats, "stats");
        var srm = Upload(rm, "running_mean");
        var srv = Upload(rv, "running_var");
        var y = Output(s.Count, "y");
        var mean = Output(s.C, "saved_mean");
        var invstd = Output(s.C, "saved_invstd");
        Run(r => SyncBatchNormKernels.Apply(r, s, count, sx, sg, sb, st, y, mean, invstd, srm, srv, residual: sr));
        return [Read(y, s.Count), Read(mean, s.C), Read(invstd, s.C), Read(srm, s.C), Read(srv, s.C)];
    }

    [Theory]
    [InlineData(3, 5, 9, 7, false)]
    [InlineData(1, 13, 8, 8, false)]
    [InlineData(2, 4, 1, 1, false)]
    [InlineData(3, 5, 9, 7, true)]
    [InlineData(2, 4, 1, 1, true)]
    public void Two_ranks_with_half_a_batch_each_and_summed_statistics_equal_batch_norm_of_the_whole_batch(int half, int c, int h, int w, bool fused)
    {
        var whole = new NchwShape(2 * half, c, h, w);
        var s = new NchwShape(half, c, h, w);
        var x = FloatRounded(Random((int)whole.Count, 320, -2, 3));
        var rm = Channels(c, 321, -0.5, 1);
        var rv = Channels(c, 322, 0.5, 2);
        var gamma = Channels(c, 323, 0.5, 1.5);
        var beta = Channels(c, 324, -1, 1);
        var residual = FloatRounded(Random((int)whole.Count, 325));
        var expected = fused ? OpRef.BatchNorm.ForwardTrainAddRelu(x, residual, gamma, beta, rm, rv, whole) : OpRef.BatchNorm.ForwardTrain(x, gamma, beta, rm, rv, whole);
        // NCHW: samples [0, half) are the first half of the buffer, [half, 2 half) the second.
        var parts = new[] { x[..(int)s.Count], x[(int)s.Count..] };
        var residuals = new[] { residual[..(int)s.Count], residual[(int)s.Count..] };
        var sums = new double[2 * c];
        foreach (var part in parts)
        {
            var sx = Upload(part, "x");
            var shift = Upload(rm, "running_mean");
            var stats = Output(2 * c, "stats");
            Run(r => SyncBatchNormKernels.Stats(r, s, sx, shift, stats));
            var local = Read(stats, 2 * c);
            for (int i = 0; i < sums.Length; i++) sums[i] += local[i]; // the host's all-reduce (2 ranks)
        }
        long count = (long)whole.N * h * w;
        string p = $"2 x {s}, fused {fused}";
        for (int rank = 0; rank < 2; rank++)
        {
            var g = RunApply(s, count, parts[rank], gamma, beta, ToDouble(ToFloat(sums)), rm, rv, fused ? residuals[rank] : null);
            AssertClose(expected.Y.AsSpan(rank * (int)s.Count, (int)s.Count), g[0], 1e-4, 1e-4, $"rank {rank}'s y", p);
            AssertClose(expected.SavedMean, g[1], 1e-5, 1e-5, $"rank {rank}'s saved mean", p);
            AssertClose(expected.SavedInvStd, g[2], 1e-5, 1e-4, $"rank {rank}'s saved invstd", p);
            AssertClose(expected.RunningMean, g[3], 1e-5, 1e-5, $"rank {rank}'s running mean", p);
            AssertClose(expected.RunningVar, g[4], 1e-5, 1e-4, $"rank {rank}'s running var", p);
        }
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Backward_stats_and_apply_match_cpu(int n, int c, int h, int w)
    {
        var s = new NchwShape(n, c, h, w);
        long count = 3L * n * h * w; // as if two more ranks held batches of this size
        var x = FloatRounded(Random((int)s.Count, 330, -2, 3));
        var dy = FloatRounded(Random((int)s.Count, 331));
        var mean = Channels(c, 332, -0.5, 1);
        var invstd = Channels(c, 333, 0.5, 2);
        var gamma = Channels(c, 334, 0.5, 1.5);
        var expectedSums = BatchNormBackwardStatsOp.Reference(dy, x, mean, invstd, s);
        var g = RunBackwardStats(s, dy, x, mean, invstd);
        string p = $"shape {s}";
        AssertClose(expectedSums, g[0], 1e-3, 1e-4, "sums", p);
        AssertClose(expectedSums.Where((_, i) => i % 2 == 1).ToArray(), g[1], 1e-3, 1e-4, "dgamma", p);
        AssertClose(expectedSums.Where((_, i) => i % 2 == 0).ToArray(), g[2], 1e-3, 1e-4, "dbeta", p);
        var sums = FloatRounded(expectedSums.Select((v, i) => v + (i + 1) * 0.25).ToArray()); // the other ranks' share
        var dx = RunBackwardApply(s, count, dy, x, gamma, mean, invstd, sums);
        AssertClose(BatchNormBackwardApplyOp.Reference(dy, x, gamma, mean, invstd, sums, s, count), dx, 1e-4, 1e-4, "dx", $"{p}, count {count}");
    }

    float[][] RunBackwardStats(NchwShape s, double[] dy, double[] x, double[] mean, double[] invstd, double[]? reluOutput = null)
    {
        (BufferSlice, BufferSlice)? relu = reluOutput is null ? null : (Upload(reluOutput, "y"), Output(s.Count, "dresidual"));
        var sdy = Upload(dy, "dy");
        var sx = Upload(x, "x");
        var sm = Upload(mean, "saved_mean");
        var si = Upload(invstd, "saved_invstd");
        var sums = Output(2 * s.C, "sums");
        var dgamma = Output(s.C, "dgamma");
        var dbeta = Output(s.C, "dbeta");
        Run(r => SyncBatchNormKernels.BackwardStats(r, s, sdy, sx, sm, si, sums, dgamma, dbeta, relu));
        return relu is { } rl
            ? [Read(sums, 2 * s.C), Read(dgamma, s.C), Read(dbeta, s.C), Read(rl.Item2, s.Count)]
            : [Read(sums, 2 * s.C), Read(dgamma, s.C), Read(dbeta, s.C)];
    }

    float[] RunBackwardApply(NchwShape s, long count, double[] dy, double[] x, double[] gamma, double[] mean, double[] invstd, double[] sums)
    {
        var sdy = Upload(dy, "dy");
        var sx = Upload(x, "x");
        var sg = Upload(gamma, "gamma");
        var sm = Upload(mean, "saved_mean");
        var si = Upload(invstd, "saved_invstd");
        var ss = Upload(sums, "sums");
        var dx = Output(s.Count, "dx");
        Run(r => SyncBatchNormKernels.BackwardApply(r, s, count, sdy, sx, sg, sm, si, ss, dx));
        return Read(dx, s.Count);
    }

    [Theory]
    [InlineData(3, 5, 9, 7, false)]
    [InlineData(1, 13, 8, 8, false)]
    [InlineData(2, 4, 1, 1, false)]
    [InlineData(3, 5, 9, 7, true)]
    [InlineData(2, 4, 1, 1, true)]
    public void Two_ranks_backward_with_summed_sums_equals_batch_norm_backward_of_the_whole_batch(int half, int c, int h, int w, bool fused)
    {
        var whole = new NchwShape(2 * half, c, h, w);
        var s = new NchwShape(half, c, h, w);
        var x = FloatRounded(Random((int)whole.Count, 340, -2, 3));
        var dy = FloatRounded(Random((int)whole.Count, 341));
        var gamma = Channels(c, 342, 0.5, 1.5);
        var beta = Channels(c, 343, -1, 1);
        var residual = FloatRounded(Random((int)whole.Count, 344));
        var (rm0, rv0) = (new double[c], Enumerable.Repeat(1.0, c).ToArray());
        var f = fused ? OpRef.BatchNorm.ForwardTrainAddRelu(x, residual, gamma, beta, rm0, rv0, whole) : OpRef.BatchNorm.ForwardTrain(x, gamma, beta, rm0, rv0, whole);
        var (mean, invstd) = (FloatRounded(f.SavedMean), FloatRounded(f.SavedInvStd)); // what the apply pass saved on every rank
        var y = FloatRounded(f.Y);
        var expected = fused ? OpRef.BatchNorm.BackwardAddRelu(dy, y, x, gamma, mean, invstd, whole) : OpRef.BatchNorm.Backward(dy, x, gamma, mean, invstd, whole);
        int part = (int)s.Count;
        var sums = new double[2 * c];
        var dgamma = new double[c];
        var dbeta = new double[c];
        var dres = new double[fused ? whole.Count : 0];
        for (int rank = 0; rank < 2; rank++)
        {
            var g = RunBackwardStats(s, dy[(rank * part)..((rank + 1) * part)], x[(rank * part)..((rank + 1) * part)], mean, invstd,
                fused ? y[(rank * part)..((rank + 1) * part)] : null);
            if (fused) for (int i = 0; i < part; i++) dres[rank * part + i] = g[3][i];
            for (int i = 0; i < sums.Length; i++) sums[i] += g[0][i]; // the host's all-reduce
            for (int i = 0; i < c; i++) { dgamma[i] += g[1][i]; dbeta[i] += g[2][i]; } // what the gradient buckets sum
        }
        string p = $"2 x {s}, fused {fused}";
        if (fused) AssertClose(expected.Dresidual!, dres, 1e-7, 0, "dresidual", p); // dy or 0
        AssertClose(expected.Dgamma, dgamma, 1e-3, 1e-4, "dgamma summed over ranks", p);
        AssertClose(expected.Dbeta, dbeta, 1e-3, 1e-4, "dbeta summed over ranks", p);
        long count = (long)whole.N * h * w;
        for (int rank = 0; rank < 2; rank++)
        {
            var g = fused ? dres[(rank * part)..((rank + 1) * part)] : dy[(rank * part)..((rank + 1) * part)]; // the fused tail's dx takes dresidual
            var dx = RunBackwardApply(s, count, g, x[(rank * part)..((rank + 1) * part)], gamma, mean, invstd, ToDouble(ToFloat(sums)));
            AssertClose(expected.Dx.AsSpan(rank * part, part), dx, 1e-4, 1e-3, $"rank {rank}'s dx", p);
        }
    }
}
