using VkResNet.Graph.Kernels;
using VkResNet.Graph.Ops;
using VkResNet.Graph.Tests.Reference;
using Xunit;
using static VkResNet.Graph.Tests.Reference.OpsTestKit;

namespace VkResNet.Graph.Tests.Kernels;

/// <summary>
/// CPU double-precision backward of every non-conv op against central finite differences of its
/// CPU forward, with loss = sum(w * y) for a random w (so dL/dy = w). No GPU needed.
/// </summary>
public sealed class OpsFiniteDifferenceTests
{
    private const double Atol = 1e-6, Rtol = 1e-5;

    public static TheoryData<int, int, int, int> BatchNormShapes => new()
    {
        { 1, 13, 9, 7 }, { 3, 5, 3, 3 }, { 2, 3, 1, 1 }, { 3, 2, 5, 1 },
    };

    [Theory, MemberData(nameof(BatchNormShapes))]
    public void BatchNormBackward_MatchesFiniteDifferences(int n, int c, int h, int w)
    {
        var s = new NchwShape(n, c, h, w);
        var x = Random((int)s.Count, 1, -2, 3);
        var gamma = Random(c, 2, 0.5, 1.5);
        var beta = Random(c, 3);
        var dy = Random((int)s.Count, 4);
        var zeros = new double[c];
        var ones = Enumerable.Repeat(1.0, c).ToArray();
        double Loss() => Dot(dy, OpRef.BatchNorm.ForwardTrain(x, gamma, beta, zeros, ones, s).Y);

        var f = OpRef.BatchNorm.ForwardTrain(x, gamma, beta, zeros, ones, s);
        var b = OpRef.BatchNorm.Backward(dy, x, gamma, f.SavedMean, f.SavedInvStd, s);
        string p = $"shape {s}";
        AssertClose(FiniteDifference(Loss, x), b.Dx, Atol, Rtol, "dx", p);
        AssertClose(FiniteDifference(Loss, gamma), b.Dgamma, Atol, Rtol, "dgamma", p);
        AssertClose(FiniteDifference(Loss, beta), b.Dbeta, Atol, Rtol, "dbeta", p);
    }

    [Theory, MemberData(nameof(BatchNormShapes))]
    public void BnAddReluBackward_MatchesFiniteDifferences(int n, int c, int h, int w)
    {
        var s = new NchwShape(n, c, h, w);
        var x = Random((int)s.Count, 11, -2, 3);
        var residual = Random((int)s.Count, 12);
        var gamma = Random(c, 13, 0.5, 1.5);
        var beta = Random(c, 14);
        var dy = Random((int)s.Count, 15);
        var zeros = new double[c];
        double Loss() => Dot(dy, OpRef.BatchNorm.ForwardTrainAddRelu(x, residual, gamma, beta, zeros, zeros, s).Y);

        var f = OpRef.BatchNorm.ForwardTrainAddRelu(x, residual, gamma, beta, zeros, zeros, s);
        var b = OpRef.BatchNorm.BackwardAddRelu(dy, f.Y, x, gamma, f.SavedMean, f.SavedInvStd, s);
        string p = $"shape {s}";
        AssertClose(FiniteDifference(Loss, x), b.Dx, Atol, Rtol, "dx", p);
        AssertClose(FiniteDifference(Loss, residual), b.Dresidual!, Atol, Rtol, "dresidual", p);
        AssertClose(FiniteDifference(Loss, gamma), b.Dgamma, Atol, Rtol, "dgamma", p);
        AssertClose(FiniteDifference(Loss, beta), b.Dbeta, Atol, Rtol, "dbeta", p);
    }

    /// <summary>Batch mean and biased variance per channel in two passes: the test's own expectation, independent of the op.</summary>
    private static (double[] Mean, double[] Var) BatchStats(double[] x, NchwShape s)
    {
        var mean = new double[s.C];
        var var = new double[s.C];
        int m = s.N * s.PlaneSize;
        for (int c = 0; c < s.C; c++)
        {
            var values = Enumerable.Range(0, s.N).SelectMany(n => x.Skip((n * s.C + c) * s.PlaneSize).Take(s.PlaneSize)).ToArray();
            mean[c] = values.Sum() / m;
            var[c] = values.Sum(v => (v - mean[c]) * (v - mean[c])) / m;
        }
        return (mean, var);
    }

    [Theory, MemberData(nameof(BatchNormShapes))]
    public void BatchNormInferWithBatchStats_EqualsTrainingOutput_AndRunningStatsAreUnbiased(int n, int c, int h, int w)
    {
        var s = new NchwShape(n, c, h, w);
        var x = Random((int)s.Count, 21, -2, 3);
        var gamma = Random(c, 22, 0.5, 1.5);
        var beta = Random(c, 23);
        var rm0 = Random(c, 24);
        var rv0 = Random(c, 25, 0.5, 2);
        var f = OpRef.BatchNorm.ForwardTrain(x, gamma, beta, rm0, rv0, s, eps: 1e-5, momentum: 0.1);
        var (mean, var) = BatchStats(x, s);
        string p = $"shape {s}";
        AssertClose(f.Y, OpRef.BatchNorm.ForwardInfer(x, gamma, beta, mean, var, s), 1e-12, 1e-12, "infer(batch stats) vs train", p);
        int m = n * h * w;
        var expectedRv = new double[c];
        var expectedRm = new double[c];
        for (int k = 0; k < c; k++)
        {
            expectedRm[k] = 0.9 * rm0[k] + 0.1 * mean[k];
            expectedRv[k] = 0.9 * rv0[k] + 0.1 * var[k] * m / (m - 1);
        }
        AssertClose(expectedRm, f.RunningMean, 1e-12, 1e-12, "running mean", p);
        AssertClose(expectedRv, f.RunningVar, 1e-12, 1e-12, "running var", p);
    }

    public static TheoryData<int, int, int, int> ElementwiseShapes => new()
    {
        { 1, 13, 9, 7 }, { 3, 5, 3, 3 }, { 1, 1, 1, 1 },
    };

    [Theory, MemberData(nameof(ElementwiseShapes))]
    public void ReluBackward_MatchesFiniteDifferences(int n, int c, int h, int w)
    {
        var s = new NchwShape(n, c, h, w);
        var x = Random((int)s.Count, 31);
        var dy = Random((int)s.Count, 32);
        double Loss() => Dot(dy, OpRef.Elementwise.ReluForward(x));
        var dx = OpRef.Elementwise.ReluBackward(dy, OpRef.Elementwise.ReluForward(x));
        AssertClose(FiniteDifference(Loss, x), dx, Atol, Rtol, "dx", $"shape {s}");
    }

    public static TheoryData<int, int, int, int, int, int, int> MaxPoolCases => new()
    {
        // n, c, h, w, kernel, stride, pad
        { 1, 13, 9, 7, 3, 2, 1 }, { 3, 2, 8, 8, 3, 2, 1 }, { 2, 3, 7, 5, 2, 2, 0 }, { 1, 2, 5, 6, 3, 1, 1 }, { 1, 1, 1, 1, 3, 2, 1 },
    };

    [Theory, MemberData(nameof(MaxPoolCases))]
    public void MaxPoolBackward_MatchesFiniteDifferences(int n, int c, int h, int w, int k, int stride, int pad)
    {
        var s = new MaxPoolShape(new NchwShape(n, c, h, w), k, stride, pad);
        var x = Random((int)s.Input.Count, 41); // continuous values: no ties, so max is differentiable
        var dy = Random((int)s.Output.Count, 42);
        double Loss() => Dot(dy, OpRef.Pool.MaxForward(x, s).Y);
        var (_, idx) = OpRef.Pool.MaxForward(x, s);
        AssertClose(FiniteDifference(Loss, x), OpRef.Pool.MaxBackward(dy, idx, s), Atol, Rtol, "dx", $"{s}");
    }

    [Theory, MemberData(nameof(ElementwiseShapes))]
    public void GlobalAvgPoolBackward_MatchesFiniteDifferences(int n, int c, int h, int w)
    {
        var s = new NchwShape(n, c, h, w);
        var x = Random((int)s.Count, 51);
        var dy = Random(n * c, 52);
        double Loss() => Dot(dy, OpRef.Pool.GlobalAvgForward(x, s));
        AssertClose(FiniteDifference(Loss, x), OpRef.Pool.GlobalAvgBackward(dy, s), Atol, Rtol, "dx", $"shape {s}");
    }

    public static TheoryData<int, int, int, int, int, int, int> ShortcutCases => new()
    {
        // n, cin, h, w, cout, stride, pad front (-1: default (cout - cin) / 2)
        { 1, 5, 9, 7, 13, 2, -1 }, { 3, 4, 8, 8, 8, 2, -1 }, { 2, 3, 5, 5, 7, 2, 0 }, { 1, 3, 4, 3, 6, 1, 3 },
    };

    [Theory, MemberData(nameof(ShortcutCases))]
    public void ShortcutZeroPadBackward_MatchesFiniteDifferences(int n, int cin, int h, int w, int cout, int stride, int front)
    {
        var input = new NchwShape(n, cin, h, w);
        var s = front < 0 ? new ShortcutZeroPadShape(input, cout, stride) : new ShortcutZeroPadShape(input, cout, stride, front);
        var x = Random((int)input.Count, 61);
        var dy = Random((int)s.Output.Count, 62);
        double Loss() => Dot(dy, OpRef.Shortcut.ZeroPadForward(x, s));
        AssertClose(FiniteDifference(Loss, x), OpRef.Shortcut.ZeroPadBackward(dy, s), Atol, Rtol, "dx", $"{s}");
    }

    [Fact]
    public void ShortcutZeroPad_DefaultFrontPadIsHalfTheExtraChannels()
    {
        // PyTorch CIFAR ResNet: 16 -> 32 channels pads planes // 4 = 8 zero channels on each side.
        var s = new ShortcutZeroPadShape(new NchwShape(2, 16, 32, 32), 32);
        Assert.Equal(8, s.PadFront);
        Assert.Equal(new NchwShape(2, 32, 16, 16), s.Output);
    }

    public static TheoryData<int, int, double> SoftmaxCases => new()
    {
        { 1, 10, 0.0 }, { 3, 10, 0.1 }, { 7, 13, 0.0 }, { 5, 1, 0.0 }, { 4, 3, 0.2 },
    };

    [Theory, MemberData(nameof(SoftmaxCases))]
    public void SoftmaxCrossEntropyBackward_MatchesFiniteDifferences(int batch, int classes, double smoothing)
    {
        var logits = Random(batch * classes, 71, -4, 4);
        var labels = RandomLabels(batch, classes, 72);
        double Loss() => OpRef.SoftmaxCrossEntropy.Forward(logits, labels, batch, classes, smoothing).MeanLoss;
        var d = OpRef.SoftmaxCrossEntropy.Backward(logits, labels, batch, classes, smoothing);
        AssertClose(FiniteDifference(Loss, logits), d, Atol, Rtol, "dlogits", $"batch {batch}, classes {classes}, smoothing {smoothing}");
    }

    [Fact]
    public void SoftmaxCrossEntropy_UniformLogitsGiveLogK_AndLargeLogitsStayFinite()
    {
        var (loss, _) = OpRef.SoftmaxCrossEntropy.Forward(new double[20], [3, 7], 2, 10);
        Assert.Equal(Math.Log(10), loss, 12);
        var (big, correct) = OpRef.SoftmaxCrossEntropy.Forward([1000, 0, 0, 0], [0, 1], 2, 2);
        Assert.Equal(Math.Log(2) / 2, big, 12); // sample 0: loss 0, correct; sample 1: log 2, tie -> argmax 0, wrong
        Assert.Equal(1, correct);
    }

    public static TheoryData<double, double, bool> SgdCases => new()
    {
        { 0.0, 0.0, false }, { 0.9, 1e-4, false }, { 0.9, 5e-4, true },
    };

    [Theory, MemberData(nameof(SgdCases))]
    public void Sgd_TwoStepsMatchTorchClosedForm(double mu, double wd, bool nesterov)
    {
        // Two steps of torch.optim.SGD on one scalar, written out by hand. The op holds momentum and weight decay
        // as float32 (the kernel's push constants), so the closed form uses those same values.
        mu = (float)mu;
        wd = (float)wd;
        double lr = 0.1, w0 = 0.5, g1 = 0.2, g2 = -0.3;
        double d1 = g1 + wd * w0, v1 = d1, w1 = w0 - lr * (nesterov ? d1 + mu * v1 : v1);
        double d2 = g2 + wd * w1, v2 = mu * v1 + d2, w2 = w1 - lr * (nesterov ? d2 + mu * v2 : v2);
        var w = new[] { w0 };
        var v = new[] { 0.0 };
        OpRef.Sgd.Update([g1], lr, w, v, (float)mu, (float)wd, nesterov);
        OpRef.Sgd.Update([g2], lr, w, v, (float)mu, (float)wd, nesterov);
        Assert.Equal(w2, w[0], 14);
        Assert.Equal(v2, v[0], 14);
    }
}
