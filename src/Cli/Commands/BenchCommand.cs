using System.CommandLine;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Models;
using VkResNet.Graph.Training;
using VkResNet.Runtime;

using VkResNet.Graph.Edge;

namespace VkResNet.Cli.Commands;

/// <summary>
/// <c>vkresnet bench</c>: inference latency (p50/p90/p99 at batch 1, MLPerf SingleStream's shape),
/// throughput at larger batches, training step time, and achieved FLOP/s as a share of the device's
/// fp32 peak measured in the same run. <c>--json</c> writes the schema in docs/bench-schema.md;
/// <c>bench compare A.json B.json ...</c> puts runs from different devices side by side.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var models = new Option<string>("--model", "-m") { Description = "Comma-separated models", DefaultValueFactory = _ => "resnet18,resnet50,resnet20" };
        var batches = new Option<string>("--batch", "-b") { Description = "Comma-separated batch sizes", DefaultValueFactory = _ => "1,8" };
        var train = new Option<bool>("--train") { Description = "Also time a training step (forward, loss, backward, SGD) at each batch size" };
        var iterations = new Option<int>("--iterations", "-n") { Description = "Timed iterations per measure", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed warm-up iterations", DefaultValueFactory = _ => 3 };
        var profile = new Option<bool>("--profile") { Description = "Per-layer GPU time table (timestamps after every pass)" };
        var json = new Option<string?>("--json") { Description = "Write results as JSON (schema: docs/bench-schema.md)" };
        var distributed = new Option<bool>("--distributed") { Description = "With --train, under mpirun: data-parallel step time, all-reduce time, share hidden behind backward, scaling efficiency" };
        var bucketMb = new Option<double>("--bucket-mb") { Description = "Gradient bucket size in MB (--distributed)", DefaultValueFactory = _ => 25.0 };
        var syncBn = new Option<bool>("--sync-bn") { Description = "With --distributed: also time SyncBatchNorm steps, alternating with per-replica BN steps" };
        var cmd = new Command("bench", "Benchmark inference and training on a device, against its measured fp32 peak");
        foreach (var o in new Option[] { models, batches, train, iterations, warmup, profile, json, distributed, bucketMb, syncBn }) cmd.Options.Add(o);
        var device = cmd.AddDeviceOptions();
        cmd.SetAction(r =>
        {
            var settings = new Settings(
                r.GetValue(models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                r.GetValue(batches)!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(b => int.TryParse(b, out int v) && v > 0 ? v : throw new UserInputException($"--batch: {b} is not a positive integer.")).ToArray(),
                r.GetValue(train), Math.Max(1, r.GetValue(iterations)), Math.Max(0, r.GetValue(warmup)), r.GetValue(profile));
            if (!r.GetValue(distributed) && r.GetValue(syncBn)) throw new UserInputException(DistributedOptions.SyncBnNeedsDistributed);
            if (!r.GetValue(distributed)) return Run(settings, r.GetValue(json), device.SelectorOf(r), device.ValidationOf(r));
            if (!settings.Train) throw new UserInputException("bench --distributed times training steps: add --train.");
            if (!(r.GetValue(bucketMb) > 0)) throw new UserInputException("--bucket-mb must be positive.");
            var reducer = DistributedOptions.StartReducer(TimeSpan.FromSeconds(600), "bench --train"); // one rank times alone while the others wait
            return DistributedOptions.Guard(reducer, () =>
            {
                using var ctx = CommonOptions.CreateContext(device.ValidationOf(r));
                using var dev = CommonOptions.CreateDevice(ctx, DistributedOptions.DeviceFor(reducer, device.SelectorOf(r), ctx.Devices.Count));
                return DistributedBench.Run(settings, (long)(r.GetValue(bucketMb) * 1048576), dev, reducer, r.GetValue(syncBn));
            });
        });

        var files = new Argument<string[]>("files") { Description = "bench --json outputs to compare", Arity = ArgumentArity.OneOrMore };
        var markdown = new Option<bool>("--markdown") { Description = "Print a Markdown table (to paste into an issue or a README)" };
        var compare = new Command("compare", "Put bench --json runs side by side (one column per run: device, driver, commit), with ratios to the first");
        compare.Arguments.Add(files);
        compare.Options.Add(markdown);
        compare.SetAction(r => BenchCompare.Run(r.GetValue(files)!, r.GetValue(markdown)));
        cmd.Subcommands.Add(compare);
        return cmd;
    }

    /// <summary>The input bench times a model at: ImageNet's for ImageNet models; CIFAR-style ones at Fashion-MNIST's size, as train's default data.</summary>
    public static (int C, int H, int W, int Classes) DefaultInput(string model) =>
        ModelCatalog.IsImageNet(model) ? (3, 224, 224, 1000) : TrainCommand.DefaultInput;

    public sealed record Settings(string[] Models, int[] Batches, bool Train, int Iterations, int Warmup, bool Profile);

    public sealed record LayerTime(string Name, string Type, string Shape, double Milliseconds, double Gflops, double Share);

    public sealed record Measure(string Model, string Input, string Mode, int Batch, double CompileSeconds, int Iterations,
        double MsP50, double MsP90, double MsP99, double MsMean, double ImagesPerSecond, double GflopPerStep, double GflopsAchieved,
        double ShareOfPeak, IReadOnlyList<LayerTime>? Layers);

    public sealed record Report(string Schema, string Commit, DateTime Timestamp, DeviceInfo Device, Settings Settings,
        double PeakVec4Gflops, double PeakScalarGflops, IReadOnlyList<Measure> Results);

    public const string Schema = "vkresnet-bench/1";

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Converters = { new JsonStringEnumConverter() },
    };

    static int Run(Settings s, string? jsonPath, string? deviceSelector, bool validation)
    {
        var tuning = CommonOptions.Tuning();
        using var open = OpenDevice.Create(deviceSelector, validation);
        var device = open.Device;
        string commit = typeof(BenchCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+').ElementAtOrDefault(1) ?? "unknown";
        AnsiConsole.MarkupLine($"[bold]device[/] {Markup.Escape(device.Info.Line)}");
        var peak = PeakProbe.Measure(device);
        AnsiConsole.MarkupLine($"[bold]peak[/]   fp32 vec4 FMA {peak.Vec4GflopsMedian:F1} GFLOP/s, scalar {peak.ScalarGflopsMedian:F1} GFLOP/s (median of {peak.Repeats})");

        var results = new List<Measure>();
        foreach (string name in s.Models)
            foreach (int batch in s.Batches)
            {
                results.Add(Time(device, name, batch, train: false, s, peak.Vec4GflopsMedian, tuning));
                if (s.Train) results.Add(Time(device, name, batch, train: true, s, peak.Vec4GflopsMedian, tuning));
            }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("model", "mode", "batch", "compile s", "p50 ms", "p90 ms", "p99 ms", "images/s", "GFLOP/s", "% of peak");
        foreach (var m in results)
            table.AddRow(m.Model, m.Mode, m.Batch.ToString(), $"{m.CompileSeconds:F2}", $"{m.MsP50:F1}", $"{m.MsP90:F1}", $"{m.MsP99:F1}",
                $"{m.ImagesPerSecond:F1}", $"{m.GflopsAchieved:F1}", $"{100 * m.ShareOfPeak:F0}%");
        AnsiConsole.Write(table);
        if (s.Profile)
            foreach (var m in results.Where(m => m.Layers != null))
                PrintLayers(m);
        if (jsonPath != null)
        {
            var report = new Report(Schema, commit, DateTime.UtcNow, device.Info, s, peak.Vec4GflopsMedian, peak.ScalarGflopsMedian, results);
            Graph.IO.AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(report, JsonOptions));
            AnsiConsole.MarkupLine($"wrote {Markup.Escape(jsonPath)}");
        }
        open.Finish();
        return 0;
    }

    static Measure Time(Device device, string name, int batch, bool train, Settings s, double peak, Graph.Tuning.TuningOptions tuning)
    {
        var (c, h, w, classes) = DefaultInput(name);
        var spec = ModelCatalog.Resolve(name, c, h, w, classes);
        var clock = Stopwatch.StartNew();
        var model = ResNetBuilder.Build(spec, batch, train ? ResNetMode.Train : ResNetMode.Infer);
        using var graph = CompiledGraph.Compile(device, model.Graph, CommonOptions.Compile() with { Profile = s.Profile, Tuning = tuning });
        double compileSeconds = clock.Elapsed.TotalSeconds;
        ParameterInitializer.Initialize(graph, seed: 1);
        var rng = new Random(2);
        var input = graph.Input(model.Input);
        for (int i = 0; i < input.Length; i++) input[i] = (float)(rng.NextDouble() * 2 - 1);
        if (train)
        {
            var labels = graph.Labels(model.Labels!);
            for (int i = 0; i < labels.Length; i++) labels[i] = i % classes;
            graph.Input(model.LearningRate!)[0] = 1e-4f; // tiny: timing only, keep weights sane
        }
        for (int i = 0; i < s.Warmup; i++) graph.Run();
        var ms = new double[s.Iterations];
        for (int i = 0; i < ms.Length; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            graph.Run();
            ms[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        IReadOnlyList<LayerTime>? layers = null;
        if (s.Profile)
        {
            var passes = graph.ReadProfile();
            double total = passes.Sum(p => p.Milliseconds);
            layers = passes.Select(p => new LayerTime(p.Name, p.Type, p.Shape, p.Milliseconds, p.Gflops, total > 0 ? p.Milliseconds / total : 0)).ToList();
        }
        Array.Sort(ms);
        double flops = graph.Graph.Ops.Where(o => graph.Plan.Passes.Any(p => p.Name == o.Name)).Sum(o => (double)o.Flops);
        double p50 = Percentile(ms, 0.5);
        AnsiConsole.MarkupLine($"  {spec.Name} {(train ? "training" : "inference")} batch {batch}: p50 {p50:F1} ms");
        return new Measure(spec.Name, $"{c}x{h}x{w}", train ? "training" : "inference", batch, compileSeconds, s.Iterations,
            p50, Percentile(ms, 0.9), Percentile(ms, 0.99), ms.Average(), batch / (p50 / 1000), flops / 1e9,
            flops / (p50 * 1e6), flops / (p50 * 1e6) / peak, layers);
    }

    static double Percentile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    static void PrintLayers(Measure m)
    {
        var t = new Table().Border(TableBorder.Rounded).Title($"{m.Model} {m.Mode} batch {m.Batch}: per pass")
            .AddColumns("pass", "type", "output", "ms", "GFLOP/s", "share");
        foreach (var l in m.Layers!.OrderByDescending(l => l.Milliseconds).Take(40))
            t.AddRow(Markup.Escape(l.Name), l.Type, Markup.Escape(l.Shape), $"{l.Milliseconds:F2}", $"{l.Gflops:F1}", $"{100 * l.Share:F1}%");
        AnsiConsole.Write(t);
    }
}
