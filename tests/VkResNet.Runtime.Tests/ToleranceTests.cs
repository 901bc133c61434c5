using Xunit;
using Xunit.Sdk;

namespace VkResNet.Runtime.Tests;

/// <summary>The exact comparisons of the tolerance helper fail where they should: a fraction, another count, one flipped bit.</summary>
public sealed class ToleranceTests
{
    [Fact]
    public void Counts_must_be_whole_and_equal()
    {
        Tolerance.AssertCounts(new double[] { 0, 3, -7 }, new float[] { 0, 3, -7 }, "equal counts");
        Assert.Throws<TrueException>(() => Tolerance.AssertCounts(new double[] { 3 }, new float[] { 3.5f }, "a fraction"));
        Assert.Throws<TrueException>(() => Tolerance.AssertCounts(new double[] { 3.5 }, new float[] { 3.5f }, "a fraction on both sides"));
        Assert.Throws<TrueException>(() => Tolerance.AssertCounts(new double[] { 3 }, new float[] { 4 }, "another count"));
    }

    [Fact]
    public void Bit_identity_fails_on_one_ulp()
    {
        float x = 0.1f;
        Tolerance.AssertBitIdentical(new[] { x }, new[] { x }, "the same bits");
        Assert.Throws<TrueException>(() => Tolerance.AssertBitIdentical(new[] { x }, new[] { MathF.BitIncrement(x) }, "one ulp"));
    }
}
