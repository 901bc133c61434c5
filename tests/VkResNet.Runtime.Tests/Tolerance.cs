using System.Text;
using Xunit;

namespace VkResNet.Runtime.Tests;

/// <summary>
/// Compares GPU float results with a reference under |a - e| &lt;= abs + rel * |e|. A failure names
/// the case and lists the first mismatches, so a red test says what to look at.
/// </summary>
public static class Tolerance
{
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double abs, double rel, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        var sb = new StringBuilder();
        int bad = 0;
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            double err = Math.Abs(a - e);
            bool ok = err <= abs + rel * Math.Abs(e) && !double.IsNaN(a);
            if (ok) continue;
            worst = Math.Max(worst, err);
            if (bad++ < 10) sb.AppendLine($"  [{i}] expected {e:G9}, got {a:G9} (|diff| {err:G3})");
        }
        Assert.True(bad == 0, $"{what}: {bad} of {expected.Length} values outside abs {abs:G2} + rel {rel:G2} (worst |diff| {worst:G3}):\n{sb}");
    }

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double abs, double rel, string what)
    {
        var e = new double[expected.Length];
        for (int i = 0; i < e.Length; i++) e[i] = expected[i];
        AssertClose(e, actual, abs, rel, what);
    }

    /// <summary>Bit-identical comparison for determinism checks (the one place exact equality is the point).</summary>
    public static void AssertBitIdentical(ReadOnlySpan<float> first, ReadOnlySpan<float> second, string what)
    {
        Assert.Equal(first.Length, second.Length);
        for (int i = 0; i < first.Length; i++)
            Assert.True(BitConverter.SingleToUInt32Bits(first[i]) == BitConverter.SingleToUInt32Bits(second[i]),
                $"{what}: run 1 and run 2 differ at [{i}]: {first[i]:G9} vs {second[i]:G9}");
    }
}
