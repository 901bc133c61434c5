using System.Text;
using Xunit;

namespace VkResNet.Runtime.Tests;

/// <summary>
/// The one tolerance helper of the test projects (every GPU test project references this one): compares results
/// with a reference under |a - e| &lt;= abs + rel * |e|, GPU floats or CPU doubles alike. A failure names the case
/// and lists the first mismatches, so a red test says what to look at.
/// </summary>
public static class Tolerance
{
    /// <summary>GPU float results against a double reference.</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double abs, double rel, string what) =>
        AssertClose(expected, Widen(actual), abs, rel, what);

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double abs, double rel, string what) =>
        AssertClose(Widen(expected), Widen(actual), abs, rel, what);

    /// <summary>Double against double: a CPU reference against finite differences or against another reference.</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double abs, double rel, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        var sb = new StringBuilder();
        int bad = 0;
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            double err = Math.Abs(a - e);
            if (err <= abs + rel * Math.Abs(e)) continue; // false for NaN on either side
            worst = Math.Max(worst, err); // NaN stays NaN
            if (bad++ < 10) sb.AppendLine($"  [{i}] expected {e:G9}, got {a:G9} (|diff| {err:G3} > {abs + rel * Math.Abs(e):G3})");
        }
        Assert.True(bad == 0, $"{what}: {bad} of {expected.Length} values outside abs {abs:G2} + rel {rel:G2} (worst |diff| {worst:G3}):\n{sb}");
    }

    static double[] Widen(ReadOnlySpan<float> values)
    {
        var d = new double[values.Length];
        for (int i = 0; i < d.Length; i++) d[i] = values[i];
        return d;
    }

    /// <summary>
    /// Whole numbers held in floats (counts, labels, sums of ones): each side must be an integer, and they are compared as
    /// integers, exactly. A fraction on either side fails, so this is no float equality in disguise.
    /// </summary>
    public static void AssertCounts(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(double.IsInteger(expected[i]) && float.IsInteger(actual[i]) && (long)expected[i] == (long)actual[i],
                $"{what}: [{i}] expected the whole number {expected[i]:G9}, got {actual[i]:G9}");
    }

    public static void AssertCounts(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what) => AssertCounts(Widen(expected), actual, what);

    /// <summary>
    /// Bit-identical comparison (the bits as integers) where exact equality is the point: determinism checks (two runs of
    /// the same work), and values that are only moved, never computed (copies, constants passed through to a shader).
    /// </summary>
    public static void AssertBitIdentical(ReadOnlySpan<float> first, ReadOnlySpan<float> second, string what)
    {
        Assert.Equal(first.Length, second.Length);
        for (int i = 0; i < first.Length; i++)
            Assert.True(BitConverter.SingleToUInt32Bits(first[i]) == BitConverter.SingleToUInt32Bits(second[i]),
                $"{what}: run 1 and run 2 differ at [{i}]: {first[i]:G9} vs {second[i]:G9}");
    }
}
