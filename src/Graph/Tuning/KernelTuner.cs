using System.Diagnostics;
using VkResNet.Graph.Kernels;
using VkResNet.Runtime;

namespace VkResNet.Graph.Tuning;

/// <summary>
/// Kernel selection by measurement, at graph compile. For each distinct conv key of the graph (the keys with the most
/// work first, so a budget is spent where it pays) it takes the candidates that apply (<see cref="ConvCandidates"/>),
/// times each on seeded random operands (a warm-up, then the median of at least 3 runs of GPU timestamps) and keeps the
/// fastest, ties going to the earlier table entry; but before a candidate can win, its output must agree with the
/// reference candidate's within the kernel tests' tolerance, and one that disagrees is dropped with a warning and the
/// next fastest is checked. (Checking only would-be winners spares a run of every slow candidate.) The reference is not
/// trusted blindly: its output is checked against exact double-precision values (<see cref="ConvExact"/>) at 32 elements,
/// and where a candidate disagrees with it the exact value of that element decides which of the two is wrong; a reference
/// output found wrong is run again (in one ResNet-20 tuning a wrong reference run dropped two correct candidates). To keep a first
/// tuning short, a candidate whose first warm run took over 2x the best so far is timed no further, and one over 4x
/// slower on the first 3 keys of its direction in a compile is not timed on the rest of them, or after the first key for a
/// form written for another kind of device (<see cref="ConvCandidate.WrittenFor"/>; on lavapipe: the shared-memory _gpu
/// forms, 10-40x slower, whose one run per key cost most of a ResNet-50's tuning). The close finishers are then timed again
/// in interleaved rounds, so a burst of host load cannot crown one of them alone (<see cref="RunOff"/>).
/// Choices are cached per device, driver and kernel set, so a second compile times nothing and records the same
/// kernels, hence the same bits. Nothing here runs on the hot path.
/// </summary>
public static class KernelTuner
{
    /// <summary>Chooses the candidates of a graph's keys on a device (<see cref="TuneMode.Off"/>: the fixed rules, no cache).</summary>
    public static KernelSelection Select(Device device, IEnumerable<ConvKey> keys, KernelVariant variant, TuningOptions options)
    {
        if (options.Mode == TuneMode.Off) return new KernelSelection(variant, winograd: options.Winograd);
        var warn = options.Warn ?? (m => Console.Error.WriteLine($"vkresnet: warning: {m}"));
        var cache = TuningCache.Load(CachePath(device, options), device.Info.Name, $"{device.Info.DriverName} {device.Info.DriverVersion} ({device.Info.DriverInfo})", ConvCandidates.KernelSetHash(), warn);
        using var bench = options.Bench?.Invoke(device, variant) ?? new DeviceCandidateBench(device, variant);
        int pipelines = device.Kernels.Compiled;
        var compile = device.Kernels.CompileTime;
        var selection = Tune(keys, device.Info, variant, options, cache, bench, warn);
        if (cache.Changed) cache.Save(warn);
        return selection.Summary is { } summary
            ? selection.WithSummary(summary with
            {
                Pipelines = device.Kernels.Compiled - pipelines, CompileSeconds = (device.Kernels.CompileTime - compile).TotalSeconds,
                FirstRunSeconds = bench.FirstRuns.TotalSeconds,
            })
            : selection;
    }

    /// <summary>The tuning cache's file for a device: beside the pipeline cache unless the options name a folder; null: none.</summary>
    public static string? CachePath(Device device, TuningOptions options)
    {
        string? folder = options.CacheDirectory ?? device.Kernels.CacheDirectory;
        return folder is null ? null : Path.Combine(folder, $"tuning-{device.Info.VendorId:x4}-{device.Info.DeviceId:x4}.json");
    }

    /// <summary>The tuning loop itself, on any runner and cache (tests feed it fixed timings without a GPU).</summary>
    public static KernelSelection Tune(IEnumerable<ConvKey> keys, DeviceInfo device, KernelVariant variant, TuningOptions options,
                                       TuningCache cache, ICandidateBench bench, Action<string> warn)
    {
        if (options.Runs < 3) throw new ArgumentException($"TuningOptions.Runs is {options.Runs}; the median needs at least 3 runs.");
        var table = options.Candidates ?? ConvCandidates.All;
        var clock = Stopwatch.StartNew();
        var choices = new Dictionary<ConvKey, KernelChoice>();
        int measured = 0, cached = 0, rules = 0, outOfBudget = 0;
        // Most work first (occurrences x MACs), then first appearance: deterministic, and a short budget tunes what matters.
        var ordered = keys.Select((k, i) => (Key: k, Index: i)).GroupBy(x => x.Key)
                          .Select(g => (g.Key, Work: g.Count() * (double)g.Key.Shape.Macs, First: g.First().Index))
                          .OrderByDescending(x => x.Work).ThenBy(x => x.First).Select(x => x.Key).ToList();
        // Per (direction, candidate): on how many keys in a row, from the first, it was SkipFactor slower; -1 once it was not.
        var losses = new Dictionary<(ConvDirection, string), int>();
        foreach (var key in ordered)
        {
            var candidates = ConvCandidates.Applicable(table, key, device, variant);
            KernelChoice? choice = null;
            if (!options.Retune && cache.TryGet(key, out var entry) && candidates.FirstOrDefault(c => c.Name == entry.Choice) is { } hit)
            {
                choice = new KernelChoice(hit, ChoiceSource.Cached, entry.Ms.Select(t => new CandidateTime(t.Key, t.Value)).ToList(), entry.Dropped, entry.Skipped);
                cached++;
            }
            else if (options.Mode == TuneMode.Full && candidates.Count == 1)
            {
                choice = new KernelChoice(candidates[0], ChoiceSource.OnlyCandidate, [], [], []);
                cache.Set(key, new TuningCache.Entry(candidates[0].Name, new(StringComparer.Ordinal), [], []));
            }
            else if (options.Mode == TuneMode.Full && candidates.Count > 1 && clock.Elapsed < options.Budget)
            {
                var timed = candidates.Where((c, i) => i == 0 || losses.GetValueOrDefault((key.Direction, c.Name)) < LossesToSkip(c, variant)).ToList();
                choice = Measure(key, timed, bench, options, warn, out var farSlower) with { Skipped = candidates.Except(timed).Select(c => c.Name).ToList() };
                foreach (var id in timed.Skip(1).Select(c => (key.Direction, c.Name)))
                    losses[id] = farSlower.Contains(id.Name) && losses.GetValueOrDefault(id) >= 0 ? losses.GetValueOrDefault(id) + 1 : -1;
                cache.Set(key, new TuningCache.Entry(choice.Candidate.Name,
                    new SortedDictionary<string, double>(choice.Times.ToDictionary(t => t.Name, t => t.Milliseconds), StringComparer.Ordinal),
                    choice.Dropped.ToList(), choice.Skipped.ToList()));
                measured++;
            }
            else if (options.Mode == TuneMode.Full && candidates.Count > 1) outOfBudget++;
            if (choice is null) rules++;
            else choices[key] = choice;
        }
        if (outOfBudget > 0)
            warn($"the tuning budget of {options.Budget.TotalSeconds:F0} s was spent with {outOfBudget} conv keys left; they use the fixed rules " +
                 "until a later compile or `vkresnet tune` measures them.");
        return new KernelSelection(variant, choices, new TuningSummary(choices.Count + rules, measured, cached, rules, clock.Elapsed.TotalSeconds, cache.Path), options.Winograd);
    }

    // A candidate whose first warm run takes this many times the best median so far is timed no further: it cannot win
    // (run-to-run noise on a loaded 2-core host stays well under 2x), and its other runs were half of a first tuning's time.
    const double AbandonFactor = 2;
    // A candidate this many times slower than the best on this many keys of a direction in a row, from the first, is not
    // timed on the rest (the shared-memory _gpu forms on lavapipe; a block or Winograd form 2x slower on big maps may win on small ones).
    const double SkipFactor = 4;
    const int SkipAfterLosses = 3;

    // A form written for another kind of device is skipped after one such loss: it is there to be found fast where it
    // unexpectedly is, not to be timed key after key where it is not.
    static int LossesToSkip(ConvCandidate c, KernelVariant variant) => c.WrittenFor is { } w && w != variant ? 1 : SkipAfterLosses;

    // The close finishers (within RunOffFactor of the best median, at most RunOffSize of them) are timed again in
    // RunOffRounds interleaved rounds (A, B, C, A, B, C, ...), and each keeps the median of its first median and those runs.
    // Each candidate's first median comes from back-to-back runs, so a burst of load on a shared host lands on one
    // candidate alone. On a noisy 2-core host it picked the fused Winograd form for a 16-channel ResNet-20 layer that ran
    // at 2.5x the row-run form's time in the graph (31.8 against 13 ms).
    const double RunOffFactor = 1.3;
    const int RunOffSize = 3, RunOffRounds = 3;

    static void RunOff(List<ConvCandidate> candidates, List<CandidateTime> times, ICandidateBench bench)
    {
        double best = times.Min(t => t.Milliseconds);
        var close = times.Select((t, i) => (t.Milliseconds, Index: i)).Where(x => x.Milliseconds <= RunOffFactor * best)
                         .OrderBy(x => x.Milliseconds).Take(RunOffSize).Select(x => x.Index).ToList();
        if (close.Count < 2) return;
        var samples = close.ToDictionary(i => i, i => new List<double> { times[i].Milliseconds });
        for (int round = 0; round < RunOffRounds; round++)
            foreach (int i in close) samples[i].Add(bench.MedianMs(candidates[i], 1, 1, double.PositiveInfinity));
        foreach (int i in close) times[i] = times[i] with { Milliseconds = DeviceCandidateBench.Median(samples[i]) };
    }

    static KernelChoice Measure(ConvKey key, List<ConvCandidate> candidates, ICandidateBench bench, TuningOptions options, Action<string> warn,
                                out HashSet<string> farSlower)
    {
        farSlower = [];
        bench.Begin(key, candidates.Max(c => c.Scratch(key.Shape)));
        var reference = candidates[0];
        var expected = ReferenceOutput(key, reference, bench, warn);
        var times = new List<CandidateTime>();
        foreach (var c in candidates)
        {
            double best = times.Count == 0 ? double.PositiveInfinity : times.Min(t => t.Milliseconds);
            double ms = bench.MedianMs(c, options.Warmup, options.Runs, AbandonFactor * best);
            if (ms > SkipFactor * best) farSlower.Add(c.Name);
            times.Add(new CandidateTime(c.Name, ms));
        }
        RunOff(candidates, times, bench);
        var dropped = new List<string>();
        // Fastest first, ties in table order (OrderBy is stable); the reference needs no check.
        foreach (var (t, i) in times.Select((t, i) => (t, i)).OrderBy(x => x.t.Milliseconds).ToList())
        {
            var c = candidates[i];
            if (c == reference)
                return new KernelChoice(c, ChoiceSource.Measured, times.Where(x => !dropped.Contains(x.Name)).ToList(), dropped, []);
            var actual = bench.Output(c);
            int bad = FirstMismatch(expected, actual, key, c.ErrorScale);
            // Where the exact value sides with the candidate, the reference's output is the wrong one: run it again, compare again.
            double exact = bad >= 0 && actual.Length == expected.Length ? bench.Exact(bad) : double.NaN;
            if (!double.IsNaN(exact) && Within(exact, actual[bad], key, c.ErrorScale) && !Within(exact, expected[bad], key, reference.ErrorScale))
            {
                warn($"conv reference {key.Direction} {reference.Name} gave element {bad} = {expected[bad]:G9} on {key}, where the exact value is {exact:G9} " +
                     $"and {c.Name} gave {actual[bad]:G9}; the reference ran again.");
                expected = ReferenceOutput(key, reference, bench, warn);
                bad = FirstMismatch(expected, actual, key, c.ErrorScale);
            }
            if (bad < 0)
                return new KernelChoice(c, ChoiceSource.Measured, times.Where(x => !dropped.Contains(x.Name)).ToList(), dropped, []);
            warn($"conv candidate {key.Direction} {c.Name} disagrees with {reference.Name} on {key}: {Describe(expected, actual, bad, key, c.ErrorScale)}; dropped.");
            dropped.Add(c.Name);
        }
        throw new InvalidOperationException($"No conv candidate was kept for {key}; the reference {reference.Name} always is.");
    }

    // Elements of the reference's output checked against the exact values on every key: the first, the last and evenly between.
    const int ReferenceSamples = 32;

    /// <summary>
    /// The reference candidate's output, checked against the exact values at <see cref="ReferenceSamples"/> elements: one that
    /// is off is run once more (a fault of one run), and one off twice stops the tuning, since no candidate can be checked then.
    /// </summary>
    static float[] ReferenceOutput(ConvKey key, ConvCandidate reference, ICandidateBench bench, Action<string> warn)
    {
        for (int run = 1; ; run++)
        {
            var output = bench.Output(reference);
            long count = output.Length, samples = Math.Min(count, ReferenceSamples);
            long off = -1;
            double exact = double.NaN;
            for (long k = 0; k < samples && off < 0; k++)
            {
                long i = samples == 1 ? 0 : k * (count - 1) / (samples - 1);
                exact = bench.Exact(i);
                if (!double.IsNaN(exact) && !Within(exact, output[i], key, reference.ErrorScale)) off = i;
            }
            if (off < 0) return output;
            string what = $"conv reference {key.Direction} {reference.Name} gave element {off} = {output[off]:G9} on {key}, where the exact value is {exact:G9}";
            if (run == 2)
                throw new InvalidOperationException($"{what}, in two runs: the device computes the reference wrong, so no candidate can be checked against it; VKRESNET_TUNE=off runs the fixed rules untuned.");
            warn($"{what}; it ran again.");
        }
    }

    /// <summary>Null when <paramref name="actual"/> matches <paramref name="expected"/> within <see cref="ConvTolerance"/>; else the first mismatch.</summary>
    public static string? Disagreement(float[] expected, float[] actual, ConvKey key, double errorScale = 1) =>
        FirstMismatch(expected, actual, key, errorScale) is int i and >= 0 ? Describe(expected, actual, i, key, errorScale) : null;

    // The first element outside the tolerance (the length when the lengths differ), or -1.
    static int FirstMismatch(float[] expected, float[] actual, ConvKey key, double errorScale)
    {
        if (expected.Length != actual.Length) return Math.Min(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!Within(expected[i], actual[i], key, errorScale)) return i;
        return -1;
    }

    // NaN (an element never written) is never within.
    static bool Within(double expected, double actual, ConvKey key, double errorScale) =>
        Math.Abs(actual - expected) <= errorScale * ConvTolerance.Atol(key.ReductionLength) + ConvTolerance.Rtol * Math.Abs(expected);

    static string Describe(float[] expected, float[] actual, int i, ConvKey key, double errorScale)
    {
        if (expected.Length != actual.Length) return $"{actual.Length} outputs instead of {expected.Length}";
        double atol = errorScale * ConvTolerance.Atol(key.ReductionLength);
        return $"element {i} is {actual[i]:G9}, the reference {expected[i]:G9} (tolerance {atol:G3} + {ConvTolerance.Rtol:G3} x |reference|)";
    }
}
