using VkResNet.Graph.Execution;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Models;
using VkResNet.Graph.Training;
using VkResNet.Graph.Tests.Support;
using VkResNet.Graph.Tuning;
using VkResNet.Runtime;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Tuning;

/// <summary>
/// The tuner: a wrong candidate is dropped by the output check, a corrupt or foreign cache file is rebuilt, and the
/// choice is a function of the timings alone (fed by a fake runner, no GPU). Tiny shapes and budgets keep it quick.
/// </summary>
public sealed class KernelTunerTests(GpuFixture gpu) : GpuTest(gpu)
{
    static readonly ConvKey Small = new(ConvDirection.Forward, Conv2dShape.Square(1, 13, 9, 7, 5, 3, 1, 1));
    static readonly ConvKey Strided = new(ConvDirection.BackwardInput, Conv2dShape.Square(3, 13, 9, 7, 11, 3, 2, 1));
    static readonly ConvKey Weights = new(ConvDirection.BackwardWeight, Conv2dShape.Square(2, 16, 28, 28, 16, 3, 1, 1));

    /// <summary>Every candidate agrees; each candidate's time comes from a table (by name, else 1 ms).</summary>
    sealed class FakeBench(IReadOnlyDictionary<string, double> ms) : ICandidateBench
    {
        public int Timed { get; private set; }
        public Dictionary<string, int> TimedByName { get; } = [];
        public void Begin(ConvKey key, long scratchBytes) { }
        public float[] Output(ConvCandidate candidate) => [1f, 2f, 3f];
        public double MedianMs(ConvCandidate candidate, int warmup, int runs, double abandonMs)
        {
            Timed++;
            TimedByName[candidate.Name] = TimedByName.GetValueOrDefault(candidate.Name) + 1;
            return ms.TryGetValue(candidate.Name, out double t) ? t : 1.0;
        }
        public void Dispose() { }
    }

    /// <summary>The device's runner, but timing one candidate as the fastest by far, so only the output check can stop it winning.</summary>
    sealed class FastestIs(string name, ICandidateBench device) : ICandidateBench
    {
        public void Begin(ConvKey key, long scratchBytes) => device.Begin(key, scratchBytes);
        public float[] Output(ConvCandidate candidate) => device.Output(candidate);
        public double MedianMs(ConvCandidate candidate, int warmup, int runs, double abandonMs) =>
            candidate.Name == name ? 1e-6 : device.MedianMs(candidate, warmup, runs, abandonMs);
        public double Exact(long index) => device.Exact(index);
        public void Dispose() => device.Dispose();
    }

    /// <summary>
    /// Outputs that match a table of exact values, except the reference's: its first <paramref name="wrongRuns"/> runs are
    /// off at element <paramref name="wrong"/>, as direct_cpu's was in one ResNet-20 tuning (34.49 where the taps forms and
    /// the exact value gave 2.44). The taps forms are timed fastest, so only the check decides whether they win.
    /// </summary>
    sealed class ReferenceWrong(int wrong, int wrongRuns) : ICandidateBench
    {
        float[] _right = [];
        public int ReferenceRuns { get; private set; }
        public void Begin(ConvKey key, long scratchBytes) => _right = [.. Enumerable.Range(0, 100).Select(i => (float)Math.Sin(i + 1) * 40)];
        public float[] Output(ConvCandidate candidate)
        {
            if (candidate.Name != "direct_cpu" || ReferenceRuns++ >= wrongRuns) return _right;
            var off = (float[])_right.Clone();
            off[wrong] += 32;
            return off;
        }
        public double MedianMs(ConvCandidate candidate, int warmup, int runs, double abandonMs) => candidate.Name.StartsWith("taps") ? 0.5 : 1.0;
        public double Exact(long index) => _right[index];
        public void Dispose() { }
    }

    static readonly ConvKey Incident = new(ConvDirection.BackwardWeight, Conv2dShape.Square(128, 16, 28, 28, 16, 3, 1, 1));

    // Element 0 is one of the 32 the reference is checked at up front; element 1 of 100 is not, and there the exact value
    // settles the disagreement with the first candidate compared.
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_reference_wrong_in_one_run_is_run_again_and_drops_no_correct_candidate(int wrong)
    {
        var warnings = new List<string>();
        var cache = TuningCache.Load(null, "fake", "fake", "fake", warnings.Add);
        using var bench = new ReferenceWrong(wrong, wrongRuns: 1);
        var selection = KernelTuner.Tune([Incident], Device.Info, KernelVariant.Cpu, Full(), cache, bench, warnings.Add);
        var choice = selection.Describe(Incident);
        Assert.Empty(choice.Dropped);
        // 0.5 ms, tied with the later taps forms; where the device shuffles taps8_cpu is superseded by its shuffle twin (not timed).
        bool shuffles = Device.Info.SubgroupShuffleCompute && Device.Info.SubgroupSize >= 8;
        Assert.Equal(shuffles ? "taps8_shuffle_cpu" : "taps8_cpu", choice.Candidate.Name);
        Assert.Equal(2, bench.ReferenceRuns);
        var warning = Assert.Single(warnings);
        Assert.Contains($"direct_cpu gave element {wrong} = ", warning);
        Assert.Contains("ran again", warning);
    }

    [Fact]
    public void A_reference_wrong_in_two_runs_stops_the_tuning_with_one_message()
    {
        var cache = TuningCache.Load(null, "fake", "fake", "fake", _ => { });
        using var bench = new ReferenceWrong(0, wrongRuns: 2);
        var e = Assert.Throws<InvalidOperationException>(() => KernelTuner.Tune([Incident], Device.Info, KernelVariant.Cpu, Full(), cache, bench, _ => { }));
        Assert.Contains("direct_cpu gave element 0", e.Message);
        Assert.Contains("in two runs", e.Message);
    }

    [Fact]
    public void The_operands_of_the_tuner_are_independent_streams_not_shifted_copies()
    {
        // With SplitMix64 seeded seed x golden ratio + 1, operand 2 was operand 1 one element on: every element equal.
        const int n = 10_000;
        float[] a = DeviceCandidateBench.Operand(n + 1, 1), b = DeviceCandidateBench.Operand(n, 2);
        int shifted = Enumerable.Range(0, n).Count(i => BitConverter.SingleToInt32Bits(a[i + 1]) == BitConverter.SingleToInt32Bits(b[i]));
        Assert.True(shifted < n / 100, $"{shifted} of {n} elements of operand 2 equal operand 1 one element on");
        Assert.All(a, v => Assert.InRange(v, -1f, 1f));
        Tolerance.AssertBitIdentical(a, DeviceCandidateBench.Operand(n + 1, 1), "operand 1 made twice");   // fixed seed: the same every run
    }

    /// <summary>The tuner's exact values are what the reference candidate computes on the device, for each direction and flag the graph keys use.</summary>
    [Theory]
    [InlineData(ConvDirection.Forward, Conv2dFlags.None)]
    [InlineData(ConvDirection.Forward, Conv2dFlags.Bias | Conv2dFlags.Residual | Conv2dFlags.Relu)]
    [InlineData(ConvDirection.Forward, Conv2dFlags.Accumulate)]
    [InlineData(ConvDirection.BackwardInput, Conv2dFlags.None)]
    [InlineData(ConvDirection.BackwardInput, Conv2dFlags.Accumulate)]
    [InlineData(ConvDirection.BackwardWeight, Conv2dFlags.None)]
    [InlineData(ConvDirection.BackwardWeight, Conv2dFlags.Accumulate)]
    public void The_exact_values_match_the_reference_candidate_on_the_device(ConvDirection direction, Conv2dFlags flags)
    {
        // Odd sizes, stride 2 with unequal phases, padding edges, batch 3.
        var key = new ConvKey(direction, new Conv2dShape(3, 13, 9, 7, 11, 3, 3, 2, 2, 1, 1), flags);
        var reference = ConvCandidates.Applicable(ConvCandidates.All, key, Device.Info, Device.Variant)[0];
        using var bench = new DeviceCandidateBench(Device, Device.Variant);
        bench.Begin(key, reference.Scratch(key.Shape));
        var output = bench.Output(reference);
        var exact = Enumerable.Range(0, output.Length).Select(i => bench.Exact(i)).ToArray();
        Tolerance.AssertClose(exact, output, ConvTolerance.Atol(key.ReductionLength), ConvTolerance.Rtol, $"{key} {reference.Name}");
    }

    static TuningOptions Full(string? folder = null, IReadOnlyList<ConvCandidate>? candidates = null) =>
        new() { Mode = TuneMode.Full, Budget = TimeSpan.FromSeconds(30), Warmup = 0, Runs = 3, CacheDirectory = folder, Candidates = candidates };

    KernelSelection TuneInMemory(IReadOnlyDictionary<string, double> ms, TuningOptions options, List<string> warnings)
    {
        var cache = TuningCache.Load(null, "fake", "fake", "fake", warnings.Add);
        using var bench = new FakeBench(ms);
        return KernelTuner.Tune([Small, Strided, Weights, Small], Device.Info, KernelVariant.Cpu, options, cache, bench, warnings.Add);
    }

    [Fact]
    public void The_same_timings_give_the_same_choices_and_the_fastest_wins_with_ties_to_the_earlier_entry()
    {
        // By name, so "direct_cpu" and "direct_gpu" hold for the forward and the backward-weight candidates alike.
        var ms = new Dictionary<string, double> { ["direct_cpu"] = 2, ["direct_cpu_pixels_x"] = 0.5, ["direct_gpu"] = 0.5, ["phases_gpu"] = 0.25, ["splitk_gpu"] = 3 };
        var warnings = new List<string>();
        var first = TuneInMemory(ms, Full(), warnings);
        var second = TuneInMemory(ms, Full(), warnings);
        Assert.Empty(warnings);
        foreach (var key in new[] { Small, Strided, Weights })
        {
            Assert.Equal(first.Choose(key).Name, second.Choose(key).Name);
            Assert.Equal(ChoiceSource.Measured, first.Describe(key).Source);
        }
        Assert.Equal("direct_cpu_pixels_x", first.Choose(Small).Name);   // 0.5 ms, tied with direct_gpu, which comes later
        Assert.Equal("phases_gpu", first.Choose(Strided).Name);
        Assert.Equal("direct_gpu", first.Choose(Weights).Name);          // 0.5 ms against direct_cpu's 2 and splitk_gpu's 3
        Assert.Equal(3, first.Summary!.Keys);                             // the repeated key is tuned once
    }

    [Fact]
    public void A_candidate_far_slower_on_the_first_three_keys_of_a_direction_is_not_timed_on_the_rest()
    {
        ConvKey[] keys = [.. Enumerable.Range(0, 5).Select(i => new ConvKey(ConvDirection.Forward, Conv2dShape.Square(1, 8 + i, 9, 7, 5, 1, 1, 0)))];
        var cache = TuningCache.Load(null, "fake", "fake", "fake", _ => { });
        using var bench = new FakeBench(new Dictionary<string, double> { ["direct_gpu"] = 100 });
        // A Gpu graph, where direct_gpu is of the graph's own kind (on a Cpu graph one far loss skips it: the test below).
        var selection = KernelTuner.Tune(keys, Device.Info, KernelVariant.Gpu, Full(), cache, bench, _ => { });
        Assert.Equal(3, bench.TimedByName["direct_gpu"]);
        Assert.Equal(["direct_gpu"], selection.Describe(keys[0]).Skipped);   // most work first: keys[4] was tuned first, keys[0] last
        // 1 ms like the reference: never abandoned, timed on all 5 keys and, tied for the best, in each key's 3 run-off rounds.
        Assert.Equal(5 * 4, bench.TimedByName["direct_cpu_pixels_x"]);
        Assert.All(keys, k => Assert.Equal("direct_cpu", selection.Choose(k).Name));
    }

    [Fact]
    public void A_candidate_over_twice_the_best_is_cut_short_but_only_one_over_4x_is_skipped_on_later_keys()
    {
        ConvKey[] keys = [.. Enumerable.Range(0, 5).Select(i => new ConvKey(ConvDirection.Forward, Conv2dShape.Square(1, 8 + i, 9, 7, 5, 1, 1, 0)))];
        var cache = TuningCache.Load(null, "fake", "fake", "fake", _ => { });
        var limits = new List<(string Name, double AbandonMs)>();
        using var bench = new LimitsSeen(new Dictionary<string, double> { ["direct_cpu_pixels_x"] = 3, ["direct_gpu"] = 100 }, limits);
        // A Gpu graph: direct_gpu is of its own kind there.
        KernelTuner.Tune(keys, Device.Info, KernelVariant.Gpu, Full(), cache, bench, _ => { });
        // The reference (1 ms) is timed first: every later candidate may stop after one timed run past 2 ms.
        // (The run-off of the close finishers, after every candidate's first median, times them again without a limit.)
        Assert.All(limits.Where(l => l.Name != "direct_cpu" && !double.IsPositiveInfinity(l.AbandonMs)), l => Assert.Equal(2.0, l.AbandonMs, 9));
        // Unlimited: the reference's first median on each of the 5 keys, and 3 rounds of the 3 close finishers (1 ms ties).
        Assert.Equal(5 + 5 * 3 * 3, limits.Count(l => double.IsPositiveInfinity(l.AbandonMs)));
        Assert.Equal(5, limits.Count(l => l.Name == "direct_cpu_pixels_x"));   // 3x: cut short on every key, skipped on none
        Assert.Equal(3, limits.Count(l => l.Name == "direct_gpu"));            // 100x: skipped after the first three keys
    }

    [Fact]
    public void A_form_written_for_another_kind_of_device_is_skipped_after_one_far_loss()
    {
        ConvKey[] keys = [.. Enumerable.Range(0, 5).Select(i => new ConvKey(ConvDirection.Forward, Conv2dShape.Square(1, 8 + i, 9, 7, 5, 1, 1, 0)))];
        Assert.Equal(KernelVariant.Gpu, ConvCandidates.All.Single(c => c.Direction == ConvDirection.Forward && c.Name == "direct_gpu").WrittenFor);
        var limits = new List<(string Name, double AbandonMs)>();
        using var bench = new LimitsSeen(new Dictionary<string, double> { ["direct_cpu_pixels_x"] = 5, ["direct_gpu"] = 100 }, limits);
        KernelTuner.Tune(keys, Device.Info, KernelVariant.Cpu, Full(), TuningCache.Load(null, "fake", "fake", "fake", _ => { }), bench, _ => { });
        Assert.Equal(1, limits.Count(l => l.Name == "direct_gpu"));            // written for a GPU, 100x on a Cpu graph: one key
        Assert.Equal(3, limits.Count(l => l.Name == "direct_cpu_pixels_x"));   // 5x, of no kind: three keys, as before

        // Under 4x: cut short (2x) on every key, but skipped on none.
        limits.Clear();
        using var near = new LimitsSeen(new Dictionary<string, double> { ["direct_gpu"] = 3 }, limits);
        KernelTuner.Tune(keys, Device.Info, KernelVariant.Cpu, Full(), TuningCache.Load(null, "fake", "fake", "fake", _ => { }), near, _ => { });
        Assert.Equal(5, limits.Count(l => l.Name == "direct_gpu"));
    }

    /// <summary>As FakeBench, also noting the abandon limit each candidate was timed under.</summary>
    sealed class LimitsSeen(IReadOnlyDictionary<string, double> ms, List<(string, double)> limits) : ICandidateBench
    {
        public void Begin(ConvKey key, long scratchBytes) { }
        public float[] Output(ConvCandidate candidate) => [1f, 2f, 3f];
        public double MedianMs(ConvCandidate candidate, int warmup, int runs, double abandonMs)
        {
            limits.Add((candidate.Name, abandonMs));
            return ms.TryGetValue(candidate.Name, out double t) ? t : 1.0;
        }
        public void Dispose() { }
    }

    /// <summary>Each named candidate's times in turn (its last one repeated), every other candidate 2 ms; notes the order of calls.</summary>
    sealed class Sequences(Dictionary<string, double[]> ms, List<string> calls) : ICandidateBench
    {
        readonly Dictionary<string, int> _next = [];
        public void Begin(ConvKey key, long scratchBytes) { }
        public float[] Output(ConvCandidate candidate) => [1f, 2f, 3f];
        public double MedianMs(ConvCandidate candidate, int warmup, int runs, double abandonMs)
        {
            calls.Add(candidate.Name);
            if (!ms.TryGetValue(candidate.Name, out var t)) return 2.0;
            int i = _next.GetValueOrDefault(candidate.Name);
            _next[candidate.Name] = i + 1;
            return t[Math.Min(i, t.Length - 1)];
        }
        public void Dispose() { }
    }

    [Fact]
    public void Close_finishers_are_timed_again_in_interleaved_rounds_so_one_lucky_median_does_not_win()
    {
        // winograd_f2x2's first median fell in a quiet moment (0.8 ms) and direct_cpu_pixels_x's in a burst (0.9); timed
        // again alternately they run 1.0 and 0.7: the run-off medians (of 0.8, 1, 1, 1 and of 0.9, 0.7, 0.7, 0.7) decide.
        var calls = new List<string>();
        using var bench = new Sequences(new() { ["winograd_f2x2"] = [0.8, 1.0], ["direct_cpu_pixels_x"] = [0.9, 0.7] }, calls);
        var selection = KernelTuner.Tune([Small], Device.Info, KernelVariant.Cpu, Full(), TuningCache.Load(null, "fake", "fake", "fake", _ => { }), bench, _ => { });
        var choice = selection.Describe(Small);
        Assert.Equal("direct_cpu_pixels_x", choice.Candidate.Name);
        Assert.Equal(0.7, choice.Times.Single(t => t.Name == "direct_cpu_pixels_x").Milliseconds, 9);
        Assert.Equal(1.0, choice.Times.Single(t => t.Name == "winograd_f2x2").Milliseconds, 9);
        Assert.Equal(2.0, choice.Times.Single(t => t.Name == "direct_cpu").Milliseconds, 9);   // not close: not timed again
        // The run-off alternates the two, fastest first: 3 rounds after each one's first median.
        var tail = calls.TakeLast(6).ToList();
        Assert.Equal(Enumerable.Repeat(new[] { "winograd_f2x2", "direct_cpu_pixels_x" }, 3).SelectMany(x => x), tail);
        Assert.Equal(4, calls.Count(c => c == "winograd_f2x2"));
    }

    [Fact]
    public void A_slow_candidate_is_judged_on_its_first_warm_run_not_on_the_cold_one()
    {
        // lavapipe compiles a pipeline at its first dispatch: the cold run of a fast candidate took 500-4400 ms where
        // its warm runs took 6-30, and the tuner once abandoned (and later skipped) such candidates on that cold run.
        var runs = new Queue<double>([900, 7, 6, 8]);
        Assert.Equal(7, DeviceCandidateBench.TimedMedian(runs.Dequeue, warmup: 1, runs: 3, abandonMs: 40), 9);
        Assert.Empty(runs);

        // A candidate slow when warm is still abandoned after one timed run, and a warm-up of 0 still runs one.
        var slow = new Queue<double>([900, 300, 290, 310]);
        Assert.Equal(300, DeviceCandidateBench.TimedMedian(slow.Dequeue, warmup: 0, runs: 3, abandonMs: 40), 9);
        Assert.Equal(2, slow.Count);

        var even = new Queue<double>([50, 4, 1, 3, 2]);
        Assert.Equal(2.5, DeviceCandidateBench.TimedMedian(even.Dequeue, warmup: 1, runs: 4, abandonMs: double.PositiveInfinity), 9);
    }

    [Fact]
    public void A_spent_budget_leaves_the_fixed_rules_and_says_so()
    {
        var warnings = new List<string>();
        var selection = TuneInMemory(new Dictionary<string, double>(), Full() with { Budget = TimeSpan.Zero }, warnings);
        Assert.All(new[] { Small, Strided, Weights }, k => Assert.Equal(ChoiceSource.Rules, selection.Describe(k).Source));
        Assert.Equal(ConvCandidates.Rules(Small, KernelVariant.Cpu).Name, selection.Choose(Small).Name);
        Assert.Contains(warnings, w => w.Contains("budget"));
    }

    [Fact]
    public void A_planted_wrong_candidate_is_dropped_with_a_warning_naming_it()
    {
        // Wrong (the plain conv with a ReLU the key does not ask for) and timed fastest.
        var planted = new ConvCandidate("planted_wrong", ConvDirection.Forward, "test: conv + an unasked ReLU", (_, _) => true, _ => 0,
            (r, s, o, f) => Conv2dKernels.Forward(r, s, o.A, o.B, null, null, o.Out, relu: true));
        var table = ConvCandidates.All.Where(c => c.Direction == ConvDirection.Forward).Take(1).Append(planted).ToList();
        using var dir = new TempDir();
        var warnings = new List<string>();
        var options = Full(dir.Path, table) with { Warn = warnings.Add, Bench = (d, v) => new FastestIs("planted_wrong", new DeviceCandidateBench(d, v)) };
        var selection = KernelTuner.Select(Device, [Small], Device.Variant, options);
        var choice = selection.Describe(Small);
        Assert.Equal(table[0].Name, choice.Candidate.Name);
        Assert.Equal(["planted_wrong"], choice.Dropped);
        Assert.Contains(warnings, w => w.Contains("planted_wrong") && w.Contains("disagrees"));
        Assert.DoesNotContain(warnings, w => w.Contains("conv reference"));   // the exact values side with the reference
        Assert.DoesNotContain(choice.Times, t => t.Name == "planted_wrong");
    }

    [Fact]
    public void The_summary_says_how_much_of_a_tuning_went_to_the_candidates_first_runs_and_a_cached_one_spends_none()
    {
        var table = ConvCandidates.All.Where(c => c.Direction == ConvDirection.Forward && c.Name is "direct_cpu" or "direct_cpu_pixels_x").ToList();
        Assert.Equal(2, table.Count);
        using var dir = new TempDir();
        var measured = KernelTuner.Select(Device, [Small], Device.Variant, Full(dir.Path, table)).Summary!;
        Assert.Equal(1, measured.Measured);
        // Both candidates ran on the key (the reference's output, then timing): their first runs took some time, within the tuning's.
        Assert.InRange(measured.FirstRunSeconds, 1e-6, measured.Seconds);
        Assert.Contains("in the candidates' first runs", measured.ToString());

        var cached = KernelTuner.Select(Device, [Small], Device.Variant, Full(dir.Path, table)).Summary!;
        Assert.Equal(1, cached.Cached);
        Assert.Equal(0, cached.FirstRunSeconds);
    }

    [Theory]
    [InlineData("garbage", "unreadable")]
    [InlineData("{\"format\": \"vkresnet-tuning/2\", \"device\": \"another GPU\", \"driver\": \"9\", \"kernelSet\": \"0\", \"entries\": {}}", "made for")]
    [InlineData("{\"format\": \"vkresnet-tuning/1\", \"device\": \"x\", \"driver\": \"9\", \"kernelSet\": \"0\", \"entries\": {}}", "older tuner")]
    [InlineData("{\"format\": \"something else\"}", "not a")]
    public void A_corrupt_or_foreign_cache_file_is_ignored_with_a_warning_and_rebuilt(string content, string warning)
    {
        using var dir = new TempDir();
        var options = Full(dir.Path) with { Bench = (_, _) => new FakeBench(new Dictionary<string, double> { ["phases_cpu"] = 0.1 }) };
        string path = KernelTuner.CachePath(Device, options)!;
        File.WriteAllText(path, content);
        var warnings = new List<string>();
        var rebuilt = KernelTuner.Select(Device, [Small, Strided], Device.Variant, options with { Warn = warnings.Add });
        Assert.Contains(warnings, w => w.Contains(path) && w.Contains(warning));
        Assert.Equal(2, rebuilt.Summary!.Measured);

        warnings.Clear();
        var again = KernelTuner.Select(Device, [Small, Strided], Device.Variant, options with { Warn = warnings.Add });
        Assert.Empty(warnings);
        Assert.Equal(2, again.Summary!.Cached);
        Assert.Equal(0, again.Summary.Measured);
        Assert.Equal("phases_cpu", again.Choose(Strided).Name);
    }

    [Fact]
    public void A_cache_made_with_the_same_shaders_but_another_candidate_table_is_rebuilt()
    {
        // A candidate added in C# alone (a new register block of an existing shader) leaves every SPIR-V hash as it was:
        // a cache stamped with the shaders' hash only would keep its old choices and never time the new candidate.
        using var dir = new TempDir();
        var options = Full(dir.Path) with { Bench = (_, _) => new FakeBench(new Dictionary<string, double> { ["phases_cpu"] = 0.1 }) };
        string path = KernelTuner.CachePath(Device, options)!;
        KernelTuner.Select(Device, [Small], Device.Variant, options);
        string stamp = ConvCandidates.KernelSetHash();
        Assert.StartsWith(ShaderLibrary.SetHash() + "-", stamp);
        string text = File.ReadAllText(path);
        Assert.Contains(stamp, text);
        File.WriteAllText(path, text.Replace(stamp, ShaderLibrary.SetHash()));
        var warnings = new List<string>();
        var rebuilt = KernelTuner.Select(Device, [Small], Device.Variant, options with { Warn = warnings.Add });
        Assert.Contains(warnings, w => w.Contains(path) && w.Contains("made for"));
        Assert.Equal(1, rebuilt.Summary!.Measured);
    }

    [Fact]
    public void Cached_mode_times_nothing_and_off_reads_no_cache()
    {
        using var dir = new TempDir();
        var bench = new FakeBench(new Dictionary<string, double>());
        var options = Full(dir.Path) with { Bench = (_, _) => bench };
        var cachedOnly = KernelTuner.Select(Device, [Small], Device.Variant, options with { Mode = TuneMode.Cached });
        Assert.Equal(0, bench.Timed);
        Assert.Equal(ChoiceSource.Rules, cachedOnly.Describe(Small).Source);
        Assert.False(File.Exists(KernelTuner.CachePath(Device, options)));
        var off = KernelTuner.Select(Device, [Small], Device.Variant, TuningOptions.Off);
        Assert.Null(off.Summary);
    }

    [Fact]
    public void A_graph_compiled_again_from_the_same_cache_records_the_same_kernels_and_gives_the_same_bits()
    {
        using var dir = new TempDir();
        var model = ResNetBuilder.Build(ResNetSpec.Cifar(8, 10).WithInput(1, 12, 12), 3, ResNetMode.Train);
        float[] Step(TuningOptions tuning, out KernelSelection kernels) => TrainingStep.Gradients(Device, model, tuning, seed: 5, out kernels);
        // A budget no loaded machine runs out of: a key left to the fixed rules would fail the "every key cached" check.
        var tuning = Support.TestTuning.Measured(dir.Path) with { Budget = TimeSpan.FromMinutes(10) };
        var measured = Step(tuning, out var first);
        var cached = Step(tuning with { Mode = TuneMode.Cached }, out var second);
        Assert.True(first.Summary!.Measured > 0 && second.Summary!.Measured == 0 && second.Summary.Rules == 0, $"{first.Summary} / {second.Summary}");
        foreach (var (key, choice) in first.Choices) Assert.Equal(choice.Candidate.Name, second.Choose(key).Name);
        Tolerance.AssertBitIdentical(measured, cached, "every parameter gradient, tuned then cached");
    }

    [Theory]
    [InlineData(null, null, TuneMode.Full)]
    [InlineData("off", null, TuneMode.Off)]
    [InlineData("Cached", "2.5", TuneMode.Cached)]
    public void Environment_values_parse(string? tune, string? budget, TuneMode mode)
    {
        var o = TuningOptions.FromEnvironment(tune, budget);
        Assert.Equal(mode, o.Mode);
        Assert.Equal(budget is null ? TuningOptions.DefaultBudget : TimeSpan.FromSeconds(2.5), o.Budget);
    }

    [Theory]
    [InlineData("fast", null, "VKRESNET_TUNE=fast")]
    [InlineData("full", "-1", "VKRESNET_TUNE_BUDGET_S=-1")]
    public void Bad_environment_values_are_refused_by_name(string tune, string? budget, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => TuningOptions.FromEnvironment(tune, budget));
        Assert.Contains(message, e.Message);
    }
}
