using VkResNet.Graph.Execution;
using VkResNet.Graph.Kernels;

namespace VkResNet.Cli.Commands;

/// <summary>The per-layer kernel table of `vkresnet graph --kernels` and `vkresnet tune`: each conv pass's candidate and the times measured.</summary>
internal static class KernelReport
{
    public static void Print(CompiledGraph graph, TextWriter output)
    {
        if (graph.Kernels.Summary is { } summary) output.WriteLine($"tuning: {summary}");
        output.WriteLine($"{"layer",-36} {"pass",-10} {"shape",-30} {"chosen",-20} {"how",-13} {"ms",9}  others (ms)");
        foreach (var pass in graph.Plan.Passes)
            foreach (var key in graph.Graph.Ops[pass.OpIndex].KernelKeys)
            {
                var c = graph.Kernels.Describe(key);
                string chosen = c.Candidate.Name;
                string ms = c.Times.Where(t => t.Name == chosen).Select(t => t.Milliseconds.ToString("F3")).FirstOrDefault() ?? "-";
                var others = c.Times.Where(t => t.Name != chosen).Select(t => $"{t.Name} {t.Milliseconds:F3}")
                              .Concat(c.Dropped.Select(d => $"{d} dropped (disagreed)"))
                              .Concat(c.Skipped.Select(d => $"{d} not timed (>4x slower on the first keys)"));
                var s = key.Shape;
                string shape = $"{s.N}x{s.Cin}x{s.H}x{s.W}->{s.Cout} k{s.KernelH}x{s.KernelW} s{s.StrideH}";
                string direction = key.Direction switch { ConvDirection.Forward => "forward", ConvDirection.BackwardInput => "bwd-input", _ => "bwd-weight" };
                output.WriteLine($"{pass.Name,-36} {direction,-10} {shape,-30} {chosen,-20} {How(c.Source),-13} {ms,9}  {string.Join(", ", others)}");
            }
    }

    static string How(ChoiceSource source) => source switch
    {
        ChoiceSource.Measured => "measured",
        ChoiceSource.Cached => "cached",
        ChoiceSource.OnlyCandidate => "only one",
        _ => "fixed rules",
    };
}
