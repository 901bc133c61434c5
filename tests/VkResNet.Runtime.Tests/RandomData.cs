namespace VkResNet.Runtime.Tests;

/// <summary>Seeded random inputs for kernel tests.</summary>
public static class RandomData
{
    public static float[] Uniform(int n, int seed, float lo = -1f, float hi = 1f)
    {
        var rng = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.NextSingle();
        return a;
    }
}
