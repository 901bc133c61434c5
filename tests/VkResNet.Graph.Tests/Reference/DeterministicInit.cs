namespace VkResNet.Graph.Tests.Reference;

// Deterministic parameters and inputs, the twin of tests/reference/det_init.py: the whole-network
// fixtures store only what the model computed, and both sides rebuild the weights from these
// formulas (float64, same order of operations, one rounding to float32). tests/reference/README.md
// states the formulas; change them only together with the Python file and the fixtures.
public static class DeterministicInit
{
    // (j+1)^2 mod this prime is the chirp term that keeps weights from being a pure sinusoid
    // along j (which cancels against smooth activations and makes float32 runs drift).
    public const long ChirpModulus = 65521;

    // sin(0.1*(j+1) + 0.37*(k+1) + 0.013*((j+1)^2 mod 65521)), evaluated left to right in
    // float64 exactly as det_init.py does.
    public static double Wave(long j, int k)
    {
        long j1 = j + 1;
        double q = (j1 * j1) % ChirpModulus;
        return Math.Sin(0.1 * j1 + 0.37 * (k + 1) + 0.013 * q);
    }

    // PyTorch's BatchNorm counter: always 0, not in the C# parameter list and takes no k.
    public static bool IsSkipped(string name) => name.EndsWith("num_batches_tracked", StringComparison.Ordinal);

    // Values of state_dict entry `name` with `shape` at index k (k counts entries except
    // num_batches_tracked), flattened row-major.
    public static float[] Parameter(string name, ReadOnlySpan<int> shape, int k)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        var v = new float[n];
        if (IsSkipped(name)) return v;

        string leaf = name[(name.LastIndexOf('.') + 1)..];
        if (leaf == "weight" && shape.Length >= 2)
        {
            // conv [Cout,Cin,kh,kw] or linear [out,in]: He-like scale from the fan-in.
            long fanIn = n / shape[0];
            double s = Math.Sqrt(2.0 / fanIn);
            for (long j = 0; j < n; j++) v[j] = (float)(s * Wave(j, k));
        }
        else if (leaf == "weight")
        {
            for (long j = 0; j < n; j++) v[j] = (float)(1.0 + 0.1 * Wave(j, k));   // BN gamma
        }
        else if (leaf is "bias" or "running_mean")
        {
            for (long j = 0; j < n; j++) v[j] = (float)(0.1 * Wave(j, k));
        }
        else if (leaf == "running_var")
        {
            for (long j = 0; j < n; j++) v[j] = (float)(1.0 + 0.25 * (1.0 + Wave(j, k)));
        }
        else
        {
            throw new ArgumentException($"no deterministic rule for parameter '{name}'", nameof(name));
        }
        return v;
    }

    // Values for a whole state_dict-ordered list; k is assigned here, skipping num_batches_tracked
    // (which gets an empty array) so callers can pass PyTorch's list unchanged.
    public static float[][] StateDict(IReadOnlyList<(string Name, int[] Shape)> entries)
    {
        var result = new float[entries.Count][];
        int k = 0;
        for (int i = 0; i < entries.Count; i++)
        {
            var (name, shape) = entries[i];
            result[i] = IsSkipped(name) ? [] : Parameter(name, shape, k++);
        }
        return result;
    }

    // Input x[n,c,h,w], flattened index j: sin(0.05*(j+1)).
    public static float[] Input(int n, int c, int h, int w)
    {
        long count = (long)n * c * h * w;
        var x = new float[count];
        for (long j = 0; j < count; j++) x[j] = (float)Math.Sin(0.05 * (j + 1));
        return x;
    }

    // labels[i] = (3*i + 1) % classes.
    public static int[] Labels(int n, int classes)
    {
        var y = new int[n];
        for (int i = 0; i < n; i++) y[i] = (3 * i + 1) % classes;
        return y;
    }

    // Flattened indices a "sample.*" fixture entry holds: round(t*(numel-1)/63), t = 0..63,
    // done in integers (the fraction is never exactly one half since 63 is odd).
    public static long[] SampleIndices(long numel)
    {
        var idx = new long[64];
        for (long t = 0; t < 64; t++) idx[t] = (2 * t * (numel - 1) + 63) / 126;
        return idx;
    }
}
