using VkResNet.Graph.Tuning;

namespace VkResNet.Graph.Tests.Support;

/// <summary>Tuning for the whole-network tests: measured into a test-local cache folder, with a small budget and run count.</summary>
public static class TestTuning
{
    public static TuningOptions Measured(string cacheFolder) =>
        new() { Mode = TuneMode.Full, Budget = TimeSpan.FromSeconds(20), Warmup = 0, Runs = 3, CacheDirectory = cacheFolder };
}
