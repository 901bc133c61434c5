namespace VkResNet.Importer.Verify;

/// <summary>
/// Compares computed logits with a reference: the largest absolute difference, that difference relative to the
/// reference's largest magnitude, and whether each sample's top-1 class agrees. Passes when
/// max |a - e| &lt;= rtol * max |e| (the issue's "within 1e-4 relative" reading) and every top-1 agrees.
/// </summary>
public sealed record LogitsComparison(double MaxAbsDiff, double MaxRelDiff, int WorstIndex, int Samples, int Top1Agree, double Rtol)
{
    public const double DefaultRtol = 1e-4;
    public bool Passed => MaxRelDiff <= Rtol && Top1Agree == Samples;

    public static LogitsComparison Compare(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, long[] shape, double rtol = DefaultRtol)
    {
        if (expected.Length != actual.Length) throw new ImportException($"--verify: the model produced {actual.Length} logits, the reference holds {expected.Length}");
        int samples = (int)shape[0], classes = (int)shape[1];
        double maxAbs = 0, scale = 0;
        int worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs((double)actual[i] - expected[i]);
            if (double.IsNaN(d)) d = double.PositiveInfinity;
            if (d > maxAbs) { maxAbs = d; worst = i; }
            scale = Math.Max(scale, Math.Abs((double)expected[i]));
        }
        int agree = 0;
        for (int n = 0; n < samples; n++)
            if (ArgMax(expected.Slice(n * classes, classes)) == ArgMax(actual.Slice(n * classes, classes))) agree++;
        return new LogitsComparison(maxAbs, scale > 0 ? maxAbs / scale : maxAbs, worst, samples, agree, rtol);
    }

    private static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    public void Print(TextWriter w, long[] shape)
    {
        long classes = shape[1];
        w.WriteLine($"verify: max |difference| {MaxAbsDiff:G4} at sample {WorstIndex / classes}, class {WorstIndex % classes} " +
                    $"({MaxRelDiff:G4} of the largest reference logit; tolerance {Rtol:G2}); top-1 agrees on {Top1Agree}/{Samples}: {(Passed ? "PASS" : "FAIL")}");
    }
}
