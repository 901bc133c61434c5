using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace VkResNet.Cli.Commands;

/// <summary>
/// <c>vkresnet bench compare A.json B.json [C.json ...]</c>: one column per run, headed by its device, driver and
/// commit; per measure its p50, p99, images/s and share of that run's own measured peak, with ratios against the
/// first run. A measure the first run does not have (another model, batch, mode or input size) is marked not
/// comparable instead of being set beside something else. <c>--markdown</c> prints a table to paste.
/// </summary>
public static class BenchCompare
{
    public sealed record Loaded(string File, BenchCommand.Report Report);

    public static IReadOnlyList<Loaded> Load(IEnumerable<string> files) => files.Select(f =>
    {
        if (!File.Exists(f)) throw new UserInputException($"No bench file at {f}.");
        BenchCommand.Report? r;
        try { r = JsonSerializer.Deserialize<BenchCommand.Report>(File.ReadAllText(f), BenchCommand.JsonOptions); }
        catch (JsonException e) { throw new UserInputException($"{f} is not a vkresnet bench JSON file: {e.Message}"); }
        if (r is null || r.Schema != BenchCommand.Schema || r.Device is null || r.Results is null)
            throw new UserInputException($"{f} is not a {BenchCommand.Schema} file (schema: docs/bench-schema.md); its schema field is \"{r?.Schema}\".");
        return new Loaded(f, r);
    }).ToList();

    /// <summary>The comparison as a grid: Header[c] for each column, Rows of cells; Notes below it.</summary>
    public sealed record Grid(IReadOnlyList<string[]> Header, IReadOnlyList<string[]> Rows, IReadOnlyList<string> Notes);

    static string Key(BenchCommand.Measure m) => $"{m.Model} {m.Mode} batch {m.Batch} at {m.Input}";

    public static Grid Build(IReadOnlyList<Loaded> runs)
    {
        var header = new List<string[]> { new[] { "measure" } };
        var notes = new List<string>();
        var first = runs[0].Report;
        var baseKeys = first.Results.ToDictionary(Key);
        for (int i = 0; i < runs.Count; i++)
        {
            var r = runs[i].Report;
            var foreign = r.Results.Select(Key).Where(k => !baseKeys.ContainsKey(k)).ToList();
            string status = i == 0 ? "baseline" : foreign.Count == 0 ? "comparable" : "NOT COMPARABLE";
            header.Add([$"run {i + 1}: {r.Device.Name}", $"{r.Device.DriverName} {r.Device.DriverVersion}, Vulkan {r.Device.ApiVersion}", $"commit {r.Commit}", status]);
            notes.Add($"run {i + 1}: {runs[i].File}, {r.Device.Line}, commit {r.Commit}, {r.Timestamp:yyyy-MM-dd HH:mm} UTC, {r.Settings.Iterations} iterations");
            if (foreign.Count > 0)
                notes.Add($"run {i + 1} is not comparable with run 1 for: {string.Join("; ", foreign)} (run 1 has no such measure: another model, batch, mode or input size); those cells carry no ratio and are marked *");
        }

        var rows = new List<string[]>();
        string[] Row(string label, Func<BenchCommand.Report, string> cell) => [label, .. runs.Select(x => cell(x.Report))];
        rows.Add(Row("measured peak, fp32 vec4 GFLOP/s", r => WithRatio(r.PeakVec4Gflops, first.PeakVec4Gflops, higherIsBetter: true, ReferenceEquals(r, first), "F1")));

        var keys = runs.SelectMany(x => x.Report.Results.Select(Key)).Distinct().ToList();
        foreach (string key in keys)
        {
            baseKeys.TryGetValue(key, out var b);
            BenchCommand.Measure? Find(BenchCommand.Report r) => r.Results.FirstOrDefault(m => Key(m) == key);
            string Cell(BenchCommand.Report r, Func<BenchCommand.Measure, double> value, bool higherIsBetter, string format)
            {
                var m = Find(r);
                if (m is null) return "-";
                if (b is null) return value(m).ToString(format, System.Globalization.CultureInfo.InvariantCulture) + " *";
                return WithRatio(value(m), value(b), higherIsBetter, ReferenceEquals(r, first), format);
            }
            rows.Add(Row($"{key}: p50 ms", r => Cell(r, m => m.MsP50, false, "F2")));
            rows.Add(Row($"{key}: p99 ms", r => Cell(r, m => m.MsP99, false, "F2")));
            rows.Add(Row($"{key}: images/s", r => Cell(r, m => m.ImagesPerSecond, true, "F1")));
            rows.Add(Row($"{key}: % of own peak", r => Cell(r, m => 100 * m.ShareOfPeak, true, "F1")));
        }
        notes.Add("(xN: against run 1, above 1 is better: faster, more images/s, a larger share of the run's own measured peak)");
        return new Grid(header, rows, notes);
    }

    static string WithRatio(double v, double baseline, bool higherIsBetter, bool isBaseline, string format)
    {
        string s = v.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
        if (isBaseline || baseline <= 0 || v <= 0) return s;
        double ratio = higherIsBetter ? v / baseline : baseline / v;
        return $"{s} (x{ratio.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)})";
    }

    public static string Markdown(Grid g)
    {
        var sb = new StringBuilder();
        string Escape(string s) => s.Replace("|", "\\|");
        sb.Append("| ").Append(string.Join(" | ", g.Header.Select(h => string.Join("<br>", h.Select(Escape))))).Append(" |\n");
        sb.Append("|---").Append(string.Concat(Enumerable.Repeat("|---:", g.Header.Count - 1))).Append("|\n");
        foreach (var row in g.Rows) sb.Append("| ").Append(string.Join(" | ", row.Select(Escape))).Append(" |\n");
        sb.Append('\n');
        foreach (string n in g.Notes) sb.Append(n.StartsWith('(') ? n : "- " + n).Append('\n');
        return sb.ToString();
    }

    public static int Run(string[] files, bool markdown)
    {
        if (files.Length < 2) throw new UserInputException("bench compare needs at least two bench --json files.");
        var grid = Build(Load(files));
        if (markdown)
        {
            Console.Write(Markdown(grid));
            return 0;
        }
        var table = new Table().Border(TableBorder.Rounded);
        for (int c = 0; c < grid.Header.Count; c++)
        {
            var col = new TableColumn(Markup.Escape(string.Join("\n", grid.Header[c])));
            table.AddColumn(c == 0 ? col : col.RightAligned());
        }
        foreach (var row in grid.Rows) table.AddRow(row.Select(Markup.Escape).ToArray());
        AnsiConsole.Write(table);
        foreach (string n in grid.Notes) AnsiConsole.WriteLine(n);
        return 0;
    }
}
