using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using VkResNet.Runtime;

namespace VkResNet.Bench;

/// <summary>
/// dotnet run -c Release --project bench -- --filter '*'      every benchmark (kernels: both variants, batch 1/32/128)
/// dotnet run -c Release --project bench -- quick             a smaller set in a few minutes
/// variant=cpu|gpu, batch=1,32 narrow the conv cases; other arguments go to BenchmarkDotNet (e.g. --filter '*EndToEnd*').
/// </summary>
public static class Program
{
    const string Usage = """
        vkresnet-bench: BenchmarkDotNet kernel and end-to-end benchmarks on a Vulkan device (how to read them: bench/README.md).

        usage: dotnet run -c Release --project bench -- [quick] [variant=cpu|gpu] [batch=1,32] [ab [reps=N] [forms=TEXT] [candidates=A,B]] [BenchmarkDotNet options]
          quick              a smaller set in a few minutes
          variant=cpu|gpu    only this kernel family in the conv cases
          batch=1,32         only these batch sizes in the conv cases
          ab [reps=N]        alternating A/B rounds of the conv forms instead of BenchmarkDotNet (forms=TEXT: passes whose name has TEXT)
          candidates=A,B,..  with ab: these tuner candidates instead (the first the baseline), on every layer where two apply
          --filter '*Conv*'  BenchmarkDotNet's own options (default --filter '*'; --list flat lists the cases)
          --help             this text (BenchmarkDotNet's own: --bdn-help)
        The device is VKRESNET_DEVICE's (index or name substring); validation: VKRESNET_VALIDATION=1.
        """;

    public static int Main(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        if (args.Contains("--bdn-help")) args = [.. args.Where(a => a != "--bdn-help"), "--help"];
        List<string> rest;
        try { rest = BenchSettings.Parse(args); }
        catch (ArgumentException e) { Console.Error.WriteLine($"vkresnet-bench: {e.Message}"); return 2; }
        if (!rest.Any(a => a is "--filter" or "-f")) rest.AddRange(["--filter", "*"]);

        // In process: one Vulkan device for the whole run, and the columns read the GPU times the cases recorded
        // (the emitted runnable derives from the benchmark type: keys use typeof, not GetType).
        // Monitoring with one call per iteration: each call is a whole GPU job of 1 ms to seconds.
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3)
            .WithInvocationCount(1).WithUnrollFactor(1)
            .WithId(BenchSettings.Quick ? "quick" : "short");
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(StatisticColumn.Median)
            .AddColumn(RateColumn.All())
            .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(40))
            .WithArtifactsPath(Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../BenchmarkDotNet.Artifacts")));

        var device = BenchDevice.Device;
        Console.WriteLine($"device  {device.Info.Line}, kernel variant {device.Variant}");
        Console.WriteLine($"load    {LoadAverage()} (1/5/15 min) on {Environment.ProcessorCount} cores at {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        var start = BenchDevice.Peak;
        Console.WriteLine($"peak    vec4 {start.Vec4GflopsMedian:F1} GFLOP/s, scalar {start.ScalarGflopsMedian:F1} GFLOP/s (PeakProbe, median of {start.Repeats}, start of run)");

        if (BenchSettings.AbRounds is int rounds)
        {
            string ab = ConvFormAb.Run(rounds), dir = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../BenchmarkDotNet.Artifacts/results"));
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "ab-table.md"), ab);
            var last = PeakProbe.Measure(device);
            Console.WriteLine($"peak    end vec4 {last.Vec4GflopsMedian:F1} GFLOP/s; load {LoadAverage()} (1/5/15 min) at the end");
            BenchDevice.Dispose();
            return 0;
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.ToArray(), config).ToList();

        var end = PeakProbe.Measure(device);
        Console.WriteLine();
        if (ConvTable.Render(summaries) is { } table)
        {
            Console.WriteLine(table);
            string dir = summaries.First().ResultsDirectoryPath;
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "conv-table.md"), table);
        }
        Console.WriteLine($"device  {device.Info.Line}");
        Console.WriteLine($"peak    start vec4 {start.Vec4GflopsMedian:F1} / scalar {start.ScalarGflopsMedian:F1} GFLOP/s; end vec4 {end.Vec4GflopsMedian:F1} / scalar {end.ScalarGflopsMedian:F1} GFLOP/s (\"% peak\" uses the start vec4 figure)");
        Console.WriteLine($"load    {LoadAverage()} (1/5/15 min) at the end");
        BenchDevice.Dispose();
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }

    static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
