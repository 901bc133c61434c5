using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>Where a key's candidate came from.</summary>
public enum ChoiceSource
{
    /// <summary>Today's fixed rules (tuning off, cached mode without an entry, or the budget ran out).</summary>
    Rules,
    /// <summary>The only candidate that applies: nothing to time.</summary>
    OnlyCandidate,
    /// <summary>Read from the tuning cache.</summary>
    Cached,
    /// <summary>Timed on the device in this compile.</summary>
    Measured,
}

/// <summary>One candidate's median GPU time on a key.</summary>
public readonly record struct CandidateTime(string Name, double Milliseconds);

/// <summary>
/// The tuner's answer for one key: the candidate, how it was chosen, the times measured, who was dropped (disagreed
/// with the reference) and who was not timed (abandoned on the first keys of its direction in that compile).
/// </summary>
public sealed record KernelChoice(ConvCandidate Candidate, ChoiceSource Source, IReadOnlyList<CandidateTime> Times, IReadOnlyList<string> Dropped,
                                  IReadOnlyList<string> Skipped);

/// <summary>What one graph compile's tuning did (for logs and `vkresnet tune`).</summary>
public sealed record TuningSummary(int Keys, int Measured, int Cached, int Rules, double Seconds, string? CacheFile)
{
    /// <summary>Pipelines the tuning created, and the seconds of <see cref="Seconds"/> that creating them took (0 where unknown).</summary>
    public int Pipelines { get; init; }
    public double CompileSeconds { get; init; }
    /// <summary>
    /// Seconds of <see cref="Seconds"/> in each candidate's first run on each key: a driver that compiles at first dispatch
    /// (llvmpipe) compiles there, and on a cold driver cache that was most of a first tuning (bench/README.md, "first tuning").
    /// </summary>
    public double FirstRunSeconds { get; init; }

    public override string ToString() =>
        $"{Keys} conv keys: {Measured} measured, {Cached} from the cache, {Rules} by the fixed rules, in {Seconds:F1} s" +
        (Pipelines > 0 || FirstRunSeconds > 0 ? $" ({CompileSeconds:F1} s of it creating {Pipelines} pipelines, {FirstRunSeconds:F1} s in the candidates' first runs)" : "") +
        (CacheFile is null ? "" : $" (cache {CacheFile})");
}

/// <summary>
/// The conv candidate each (direction, shape, flags) key of a graph records: the tuner's choices, and today's
/// fixed rules (<see cref="ConvCandidates.Rules"/>) for every key it has none for. Ops ask it for their scratch
/// size and their candidate, so both always agree.
/// </summary>
public sealed class KernelSelection
{
    readonly IReadOnlyDictionary<ConvKey, KernelChoice> _choices;

    public KernelSelection(KernelVariant variant, IReadOnlyDictionary<ConvKey, KernelChoice>? choices = null, TuningSummary? summary = null, bool? winograd = null)
    {
        Variant = variant;
        Winograd = winograd;
        _choices = choices ?? new Dictionary<ConvKey, KernelChoice>();
        Summary = summary;
    }

    /// <summary>The variant the fixed rules follow for keys without a choice.</summary>
    public KernelVariant Variant { get; }

    /// <summary>The fixed rules' Winograd switch (<see cref="Tuning.TuningOptions.Winograd"/>); null: where it measured faster.</summary>
    public bool? Winograd { get; }

    /// <summary>What tuning did; null when it was off.</summary>
    public TuningSummary? Summary { get; }

    public IReadOnlyDictionary<ConvKey, KernelChoice> Choices => _choices;

    /// <summary>The same choices with another summary.</summary>
    public KernelSelection WithSummary(TuningSummary summary) => new(Variant, _choices, summary, Winograd);

    public ConvCandidate Choose(ConvKey key) => _choices.TryGetValue(key, out var c) ? c.Candidate : ConvCandidates.Rules(key, Variant, Winograd);

    /// <summary>The tuner's record for a key, or a Rules record naming the fixed rules' candidate.</summary>
    public KernelChoice Describe(ConvKey key) =>
        _choices.TryGetValue(key, out var c) ? c : new KernelChoice(ConvCandidates.Rules(key, Variant, Winograd), ChoiceSource.Rules, [], [], []);
}
