using VkResNet.Graph.Kernels;
using VkResNet.Runtime;

namespace VkResNet.Bench;

/// <summary>Run-wide choices made on the command line before BenchmarkDotNet builds its cases.</summary>
public static class BenchSettings
{
    /// <summary>`quick`: fewer conv shapes, the device's own kernel variant only, fewer models.</summary>
    public static bool Quick { get; set; }

    /// <summary>`variant=cpu|gpu`: time only this kernel variant (null: see <see cref="ConvCase.ForRun"/>).</summary>
    public static KernelVariant? Variant { get; set; }

    /// <summary>`batch=1,32`: conv shapes at these batch sizes only (null: all).</summary>
    public static int[]? Batches { get; set; }

    /// <summary>`forms=TEXT`: only the <see cref="ConvFormBenchmarks"/> cases whose name contains TEXT (null: all).</summary>
    public static string? Forms { get; set; }

    /// <summary>`ab` (with `reps=N`, default 9): the alternating A/B run of the conv forms (<see cref="ConvFormAb"/>) instead of BenchmarkDotNet.</summary>
    public static int? AbRounds { get; set; }

    /// <summary>`candidates=NAME,NAME`: with `ab`, time these tuner candidates (ConvCandidates.All; the first is the baseline) instead of the forms.</summary>
    public static string[]? Candidates { get; set; }

    /// <summary>Takes this project's own arguments (quick, variant=, batch=, forms=, ab, reps=, candidates=) out of the list BenchmarkDotNet parses.</summary>
    public static List<string> Parse(IEnumerable<string> args)
    {
        var rest = new List<string>();
        foreach (string a in args)
        {
            if (a == "quick") Quick = true;
            else if (a.StartsWith("variant=", StringComparison.Ordinal))
                Variant = Enum.TryParse<KernelVariant>(a["variant=".Length..], ignoreCase: true, out var v) ? v
                    : throw new ArgumentException($"{a}: the variants are cpu and gpu.");
            else if (a.StartsWith("batch=", StringComparison.Ordinal))
                Batches = a["batch=".Length..].Split(',').Select(b => int.TryParse(b, out int n) && n > 0 ? n
                    : throw new ArgumentException($"{a}: '{b}' is not a positive batch size.")).ToArray();
            else if (a.StartsWith("forms=", StringComparison.Ordinal)) Forms = a["forms=".Length..];
            else if (a == "ab") AbRounds ??= 9;
            else if (a.StartsWith("candidates=", StringComparison.Ordinal))
            {
                Candidates = a["candidates=".Length..].Split(',', StringSplitOptions.RemoveEmptyEntries) is { Length: >= 2 } c ? c
                    : throw new ArgumentException($"{a}: name at least two candidates, the baseline first (vkresnet graph MODEL --kernels shows their names).");
                if (Candidates.FirstOrDefault(n => !ConvCandidates.All.Any(k => k.Name == n)) is { } unknown)
                    throw new ArgumentException($"{a}: no tuner candidate is named {unknown} (vkresnet graph MODEL --kernels shows the names).");
            }
            else if (a.StartsWith("reps=", StringComparison.Ordinal))
                AbRounds = int.TryParse(a["reps=".Length..], out int r) && r > 0 ? r : throw new ArgumentException($"{a}: the rounds must be a positive count.");
            else rest.Add(a);
        }
        return rest;
    }
}
