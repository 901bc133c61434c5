using VkResNet.Graph.Kernels;
using VkResNet.Graph.Tests.Reference;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Kernels;

/// <summary>The CPU conv and linear backward references against central finite differences.</summary>
public sealed class CpuConvLinearGradientTests
{
    // n, cin, h, w, cout, kh, kw, sh, sw, ph, pw: odd channels and maps, stride 2, padding edges, 1x1 and 7x7.
    public static IEnumerable<object[]> ConvShapes => new[]
    {
        new object[] { 1, 3, 5, 4, 2, 3, 3, 1, 1, 1, 1 },
        new object[] { 2, 2, 7, 5, 3, 3, 3, 2, 2, 1, 1 },
        new object[] { 1, 3, 6, 7, 2, 1, 1, 2, 2, 0, 0 },
        new object[] { 1, 2, 9, 7, 2, 7, 7, 2, 2, 3, 3 },
        new object[] { 2, 1, 5, 6, 3, 3, 2, 1, 2, 0, 1 },
    };

    [Theory, MemberData(nameof(ConvShapes))]
    public void Conv2dBackwardMatchesFiniteDifferences(int n, int cin, int h, int w, int cout, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        var s = new Conv2dShape(n, cin, h, w, cout, kh, kw, sh, sw, ph, pw);
        var x = RefRandom.Uniform((int)s.InputElements, 1);
        var wt = RefRandom.Uniform((int)s.WeightElements, 2);
        var b = RefRandom.Uniform(cout, 3);
        var g = RefRandom.Uniform((int)s.OutputElements, 4);
        Func<double[]> f = () => OpRef.Conv2dForward(x, wt, b, s);

        Tolerance.AssertClose(FiniteDifference.Gradient(f, x, g), OpRef.Conv2dBackwardInput(g, wt, s), 1e-7, 1e-6, $"dx {s}");
        Tolerance.AssertClose(FiniteDifference.Gradient(f, wt, g), OpRef.Conv2dBackwardWeight(g, x, s), 1e-7, 1e-6, $"dW {s}");
        Tolerance.AssertClose(FiniteDifference.Gradient(f, b, g), OpRef.Conv2dBackwardBias(g, s), 1e-7, 1e-6, $"db {s}");
    }

    [Theory]
    [InlineData(1, 5, 3)]
    [InlineData(3, 13, 7)]
    [InlineData(4, 9, 10)]
    public void LinearBackwardMatchesFiniteDifferences(int n, int inFeatures, int outFeatures)
    {
        var x = RefRandom.Uniform(n * inFeatures, 5);
        var wt = RefRandom.Uniform(outFeatures * inFeatures, 6);
        var b = RefRandom.Uniform(outFeatures, 7);
        var g = RefRandom.Uniform(n * outFeatures, 8);
        Func<double[]> f = () => OpRef.LinearForward(x, wt, b, n, inFeatures, outFeatures);
        string what = $"linear n={n} in={inFeatures} out={outFeatures}";

        Tolerance.AssertClose(FiniteDifference.Gradient(f, x, g), OpRef.LinearBackwardInput(g, wt, n, inFeatures, outFeatures), 1e-7, 1e-6, "dx " + what);
        Tolerance.AssertClose(FiniteDifference.Gradient(f, wt, g), OpRef.LinearBackwardWeight(g, x, n, inFeatures, outFeatures), 1e-7, 1e-6, "dW " + what);
        Tolerance.AssertClose(FiniteDifference.Gradient(f, b, g), OpRef.LinearBackwardBias(g, n, outFeatures), 1e-7, 1e-6, "db " + what);
    }

    [Fact]
    public void Conv2dForwardMatchesAHandComputedCase()
    {
        // 1x1x3x3 input of 1..9, one 2x2 kernel of ones, stride 1, no padding: window sums.
        var s = Conv2dShape.Square(1, 1, 3, 3, 1, 2, 1, 0);
        var y = OpRef.Conv2dForward([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 1, 1], [0.5], s);
        Tolerance.AssertClose([12.5, 16.5, 24.5, 28.5], y, 1e-12, 0, "hand case"); // four terms of at most 9 in doubles: rounding, were there any, is below 1e-14
    }
}
