using VkResNet.Graph.Kernels;
using VkResNet.Runtime;

namespace VkResNet.Graph.Tuning;

/// <summary>VKRESNET_TUNE: how a graph compile chooses its conv kernels.</summary>
public enum TuneMode
{
    /// <summary>Today's fixed rules; no cache is read or written.</summary>
    Off,
    /// <summary>The cached choices; keys without one follow the fixed rules. Nothing is timed.</summary>
    Cached,
    /// <summary>The cached choices, and every key the cache lacks is timed now and cached (the default at the CLI).</summary>
    Full,
}

/// <summary>How the tuner runs (CompileOptions.Tuning). Read from the environment at the edge, never deep in the engine.</summary>
public sealed record TuningOptions
{
    public TuneMode Mode { get; init; } = TuneMode.Off;

    /// <summary>Wall time one compile may spend timing; keys left when it is spent follow the fixed rules and stay uncached.</summary>
    public TimeSpan Budget { get; init; } = DefaultBudget;

    /// <summary>Time every key again even if the cache has it (`vkresnet tune --force`).</summary>
    public bool Retune { get; init; }

    /// <summary>Untimed runs before the timed ones, and timed runs whose median counts (at least 3).</summary>
    public int Warmup { get; init; } = 1;
    public int Runs { get; init; } = 3;

    /// <summary>Folder of the tuning cache; null: beside the pipeline cache (VKRESNET_CACHE_DIR, else the user cache folder).</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>The candidate table; null: <see cref="ConvCandidates.All"/> (tests plant candidates here).</summary>
    public IReadOnlyList<ConvCandidate>? Candidates { get; init; }

    /// <summary>Makes the runner that executes and times candidates; null: GPU timestamps on the device (tests inject timings).</summary>
    public Func<Device, KernelVariant, ICandidateBench>? Bench { get; init; }

    /// <summary>Winograd under the fixed rules (keys no measurement chose): false never, true on every shape it applies to, null where it measured faster (VKRESNET_WINOGRAD).</summary>
    public bool? Winograd { get; init; }

    /// <summary>Where warnings go (a dropped candidate, a corrupt cache, a spent budget); null: stderr.</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>
    /// A cap on one compile's first tuning, not its usual length: on lavapipe on the 2-core build machine a whole ResNet-50
    /// batch 1 takes 15-24 s, but ResNet-20's training step at batch 128 took 60-70 s on a slow day, and 45 s (the
    /// budget before the register-block candidates) left 12 of its 20 keys to the fixed rules in the main job's first run.
    /// </summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(120);

    public static TuningOptions Off { get; } = new();

    /// <summary>
    /// The edge's reading of VKRESNET_TUNE (off | cached | full; unset: full) and VKRESNET_TUNE_BUDGET_S (seconds).
    /// Throws <see cref="ArgumentException"/> naming the variable, the value and what is allowed.
    /// </summary>
    public static TuningOptions FromEnvironment(string? tune, string? budgetSeconds)
    {
        var mode = tune?.Trim().ToLowerInvariant() switch
        {
            null or "" or "full" => TuneMode.Full,
            "cached" => TuneMode.Cached,
            "off" => TuneMode.Off,
            _ => throw new ArgumentException($"VKRESNET_TUNE={tune} is not a tuning mode; use off, cached or full."),
        };
        var options = new TuningOptions { Mode = mode };
        if (string.IsNullOrWhiteSpace(budgetSeconds)) return options;
        if (!double.TryParse(budgetSeconds, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) || !(s > 0) || s > 86400)
            throw new ArgumentException($"VKRESNET_TUNE_BUDGET_S={budgetSeconds} is not a number of seconds in (0, 86400].");
        return options with { Budget = TimeSpan.FromSeconds(s) };
    }

}

/// <summary>
/// Runs candidates for the tuner, one key at a time: <see cref="Begin"/> makes seeded random operands of the key's
/// shape, <see cref="Output"/> runs a candidate once on them and reads its output back, <see cref="MedianMs"/> times it:
/// the median of <c>runs</c> after <c>warmup</c> (at least one), or the first timed run alone when that already took over <c>abandonMs</c>
/// (a candidate several times slower than the best so far is not worth the full count).
/// </summary>
public interface ICandidateBench : IDisposable
{
    void Begin(ConvKey key, long scratchBytes);
    float[] Output(ConvCandidate candidate);
    double MedianMs(ConvCandidate candidate, int warmup, int runs, double abandonMs);

    /// <summary>
    /// Output element <paramref name="index"/> of the current key in double precision from the runner's own operands
    /// (<see cref="ConvExact"/>): what settles a disagreement with the reference. NaN where the runner has none (a fake
    /// runner): the reference is then trusted as it is.
    /// </summary>
    double Exact(long index) => double.NaN;

    /// <summary>Wall time of the candidates' first runs so far (where a driver compiling at first dispatch compiles); zero where unknown.</summary>
    TimeSpan FirstRuns => TimeSpan.Zero;
}
