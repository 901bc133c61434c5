using System.Text;
using Xunit;

namespace VkResNet.Graph.Tests.Reference;

/// <summary>
/// Double-vs-double comparison (CPU backward vs finite differences) with absolute + relative tolerance that
/// reports the case and the first mismatches; GPU results go through Runtime.Tests' Tolerance.
/// </summary>
public static class RefAssert
{
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double atol, double rtol, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length}, expected {expected.Length}");
        var report = new StringBuilder();
        int bad = 0;
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]);
            double limit = atol + rtol * Math.Abs(expected[i]);
            if (!(err <= limit)) // also catches NaN
            {
                if (bad < 8) report.AppendLine($"  [{i}] expected {expected[i]:G9} got {actual[i]:G9} (|err| {err:G3} > {limit:G3})");
                bad++;
            }
            worst = Math.Max(worst, err);
        }
        Assert.True(bad == 0, $"{what}: {bad} of {expected.Length} values outside atol {atol} + rtol {rtol} (max |err| {worst:G3}):\n{report}");
    }
}

/// <summary>Seeded random tensors, so a failing case reproduces.</summary>
public static class RefRandom
{
    public static double[] Uniform(int count, int seed, double scale = 1.0)
    {
        var rng = new Random(seed);
        var a = new double[count];
        for (int i = 0; i < count; i++) a[i] = (rng.NextDouble() * 2 - 1) * scale;
        return a;
    }
}
