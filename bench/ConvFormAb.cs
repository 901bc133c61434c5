using System.Globalization;
using System.Text;
using VkResNet.Graph.Kernels;

namespace VkResNet.Bench;

/// <summary>
/// `ab` (`dotnet run -c Release --project bench -- ab [reps=N] [batch=..] [forms=TEXT] [candidates=A,B,..]`): the passes of
/// <see cref="ConvFormCase.ForRun"/>, each recorded once per form and replayed in turn (Baseline, new, Baseline, new, ...)
/// reps times after one warm-up, so a change of load on a shared machine hits every form alike. Per form: the
/// fastest and the median GPU time (timestamps), GFLOP/s and share of the run's peak at the fastest, and the median
/// over rounds of the per-round ratio to Baseline (below 1: faster). Writes the table to ab-table.md beside the reports.
/// </summary>
public static class ConvFormAb
{
    public static string Run(int reps)
    {
        double peak = BenchDevice.Peak.Vec4GflopsMedian;
        var text = ConvTable.Start(string.Create(CultureInfo.InvariantCulture, $"Conv forms A/B, {reps} alternating rounds, GPU timestamps; % of the {peak:F1} GFLOP/s vec4 peak measured at the start of the run"),
                                   "| layer | batch | pass | form | fastest ms | median ms | GFLOP/s (% peak), fastest | time / first form, median of rounds |",
                                   "|---|---:|---|---|---:|---:|---:|---:|");
        var ts = new double[2];
        foreach (var forms in Passes())
        {
            var rigs = forms.Select(c => new ConvRig(c.Layer.Shape, c.Layer.Variant, c.Direction, c.ScratchBytes, c.Record)).ToList();
            try
            {
                var ms = new double[forms.Count][];
                for (int f = 0; f < forms.Count; f++) ms[f] = new double[reps];
                for (int round = -1; round < reps; round++)
                    for (int f = 0; f < forms.Count; f++)
                    {
                        rigs[f].Commands.Submit();
                        rigs[f].Commands.Wait();
                        rigs[f].Commands.ReadTimestampsMs(ts);
                        if (round >= 0) ms[f][round] = ts[1];
                    }
                const int baseline = 0;
                var rows = new StringBuilder();
                for (int f = 0; f < forms.Count; f++)
                {
                    var c = forms[f];
                    double fastest = ms[f].Min(), gflops = c.Layer.Shape.Flops / (fastest * 1e6);
                    string ratio = f == baseline ? "" : Median(ms[f].Select((t, i) => t / ms[baseline][i])).ToString("F2", CultureInfo.InvariantCulture);
                    rows.AppendLine(CultureInfo.InvariantCulture,
                        $"| {c.Layer.Name} | {c.Layer.Shape.N} | {c.Direction} | {c.Name} | {fastest:F2} | {Median(ms[f]):F2} | {gflops:F1} ({100 * gflops / peak:F0}%) | {ratio} |");
                }
                Console.Write(rows);
                text.Append(rows);
            }
            finally
            {
                foreach (var r in rigs) r.Dispose();
            }
        }
        return text.ToString();
    }

    /// <summary>One timed form of a pass: a ConvForm case, or a tuner candidate by name.</summary>
    sealed record Form(string Name, ConvCase Layer, ConvDirection Direction, long ScratchBytes, ConvRig.Pass Record)
    {
        public override string ToString() => Name;
    }

    // The passes to time, each with its forms, the baseline first: the ConvForm cases, or with candidates=NAME,NAME
    // the named tuner candidates (ConvCandidates.All, the first name the baseline) on every layer where at least two apply.
    static IEnumerable<List<Form>> Passes()
    {
        if (BenchSettings.Candidates is not { } names)
        {
            foreach (var pass in ConvFormBenchmarks.Cases.GroupBy(c => (c.Layer, c.Direction)))
            {
                var forms = pass.OrderBy(c => c.Form == ConvForm.Baseline ? 0 : 1)
                                .Select(c => new Form(c.Form.ToString(), c.Layer, c.Direction, c.ScratchBytes, c.Record)).ToList();
                if (forms[0].Name == nameof(ConvForm.Baseline)) yield return forms;
            }
            yield break;
        }
        var info = BenchDevice.Device.Info;
        foreach (var layer in ConvFormCase.Layers(BenchSettings.Batches))
            foreach (var direction in Enum.GetValues<ConvDirection>())
            {
                var kd = direction switch
                {
                    ConvDirection.Forward => VkResNet.Graph.Kernels.ConvDirection.Forward,
                    ConvDirection.BackwardInput => VkResNet.Graph.Kernels.ConvDirection.BackwardInput,
                    _ => VkResNet.Graph.Kernels.ConvDirection.BackwardWeight,
                };
                var forms = names.Select(n => ConvCandidates.Find(ConvCandidates.All, kd, n))
                                 .Where(c => c is not null && c.Applies(layer.Shape, info)).Select(c => c!)
                                 .Select(c => new Form(c.Name, layer, direction, c.Scratch(layer.Shape), ConvFormCase.Recorder(c))).ToList();
                if (forms.Count >= 2 && (BenchSettings.Forms is not { } only || $"{layer.Name} b{layer.Shape.N} {direction}".Contains(only, StringComparison.Ordinal)))
                    yield return forms;
            }
    }

    static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
