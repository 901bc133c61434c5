namespace VkResNet.Graph.Data;

/// <summary>
/// A tiny deterministic RNG (SplitMix64). A value type with no allocation; seeded per (seed, epoch, batch)
/// so every batch is reproducible regardless of which thread makes it or in what order.
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    public static SplitMix64 For(long seed, long a, long b = 0)
    {
        var r = new SplitMix64((ulong)seed);
        ulong s = r.Next() ^ ((ulong)a * 0x9E3779B97F4A7C15UL);
        r = new SplitMix64(s);
        s = r.Next() ^ ((ulong)b * 0xC2B2AE3D27D4EB4FUL);
        return new SplitMix64(s);
    }

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform integer in [0, n) (Lemire's multiply-shift; bias is below 2^-32 for our n).</summary>
    public int NextInt(int n) => (int)(((Next() >> 32) * (ulong)n) >> 32);

    public bool NextBool() => (Next() >> 63) != 0;
}
