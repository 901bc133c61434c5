namespace VkResNet.Graph.Tests.Reference;

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
