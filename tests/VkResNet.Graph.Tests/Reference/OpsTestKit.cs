using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Reference;

/// <summary>
/// Shared helpers of the non-conv kernel tests: seeded random data, central finite differences, and
/// an abs + rel comparison that fails with the case's parameters and the first mismatches.
/// </summary>
public static class OpsTestKit
{
    public static double[] Random(int count, int seed, double lo = -1, double hi = 1)
    {
        var rng = new Random(seed);
        var a = new double[count];
        for (int i = 0; i < count; i++)
            a[i] = lo + (hi - lo) * rng.NextDouble();
        return a;
    }

    public static int[] RandomLabels(int count, int classes, int seed)
    {
        var rng = new Random(seed);
        var a = new int[count];
        for (int i = 0; i < count; i++)
            a[i] = rng.Next(classes);
        return a;
    }

    public static float[] ToFloat(double[] a) => Array.ConvertAll(a, v => (float)v);
    public static double[] ToDouble(float[] a) => Array.ConvertAll(a, v => (double)v);

    /// <summary>Rounds through float so CPU references see exactly the values the GPU sees.</summary>
    public static double[] FloatRounded(double[] a) => Array.ConvertAll(a, v => (double)(float)v);

    /// <summary>d loss / d x[i] for every i by central differences (x is restored afterwards).</summary>
    public static double[] FiniteDifference(Func<double> loss, double[] x, double h = 1e-5)
    {
        var g = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double keep = x[i];
            x[i] = keep + h;
            double up = loss();
            x[i] = keep - h;
            double down = loss();
            x[i] = keep;
            g[i] = (up - down) / (2 * h);
        }
        return g;
    }

    /// <summary>sum_i w[i] * y[i]: a scalar loss whose gradient with respect to y is w.</summary>
    public static double Dot(double[] w, double[] y)
    {
        double s = 0;
        for (int i = 0; i < y.Length; i++)
            s += w[i] * y[i];
        return s;
    }

    /// <summary>Asserts |actual - expected| &lt;= atol + rtol * |expected| elementwise (the one helper, Runtime.Tests' Tolerance).</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double atol, double rtol,
        string what, string parameters) =>
        Tolerance.AssertClose(expected, actual, atol, rtol, $"{what} ({parameters})");

    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double atol, double rtol,
        string what, string parameters) =>
        Tolerance.AssertClose(expected, actual, atol, rtol, $"{what} ({parameters})");

    /// <summary>Half an fp32 ulp, relative (2^-25): the tolerance of a value an op only moves or selects, where no rounding happens.</summary>
    public const double HalfUlp = 1.0 / (1 << 25);

    /// <summary>
    /// Values an op only moves or selects (max pooling's maximum, a zero-pad copy, a ReLU-masked gradient) against the reference
    /// on the same float-rounded inputs: within <see cref="HalfUlp"/>, so a value even one ulp off fails, while -0 and +0 agree.
    /// </summary>
    public static void AssertMoved(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, string what, string parameters) =>
        Tolerance.AssertClose(expected, actual, 0, HalfUlp, $"{what} ({parameters})");
}
