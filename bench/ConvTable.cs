using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;

namespace VkResNet.Bench;

/// <summary>
/// The conv results pivoted for reading: one row per layer shape and variant, GFLOP/s (GPU timestamps) and
/// share of the run's peak per direction. Printed after the run and written beside BenchmarkDotNet's reports.
/// </summary>
public static class ConvTable
{
    public static string? Render(IEnumerable<Summary> summaries)
    {
        var cases = summaries.SelectMany(s => s.BenchmarksCases.Select(c => (Summary: s, Case: c)))
            .Where(x => x.Case.Descriptor.Type == typeof(ConvBenchmarks)).ToList();
        if (cases.Count == 0) return null;
        double peak = BenchDevice.Peak.Vec4GflopsMedian;
        var text = Start(string.Create(CultureInfo.InvariantCulture, $"Conv kernels, GFLOP/s from GPU timestamps (% of the {peak:F1} GFLOP/s vec4 peak measured at the start of the run)"),
                         "| variant | layer | batch | GFLOP | forward | backward-input | backward-weight |", "|---|---|---:|---:|---:|---:|---:|");
        foreach (var layer in cases.GroupBy(x => (ConvCase)x.Case.Parameters["Case"]))
        {
            string Cell(ConvDirection d) =>
                layer.FirstOrDefault(x => (ConvDirection)x.Case.Parameters["Direction"] == d) is { Case: not null } x
                && RateColumn.Gflops(x.Summary, x.Case) is double g
                    ? string.Create(CultureInfo.InvariantCulture, $"{g:F1} ({100 * g / peak:F0}%)") : "-";
            var c = layer.Key;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {c.Variant} | {c.Name} | {c.Shape.N} | {c.Shape.Flops / 1e9:F3} | {Cell(ConvDirection.Forward)} | {Cell(ConvDirection.BackwardInput)} | {Cell(ConvDirection.BackwardWeight)} |");
        }
        return text.ToString();
    }

    /// <summary>A markdown table's title line, a blank line, its header and its alignment row.</summary>
    internal static StringBuilder Start(string title, string header, string alignment) =>
        new StringBuilder().AppendLine(title).AppendLine().AppendLine(header).AppendLine(alignment);
}
