using System.Diagnostics;
using System.Runtime.InteropServices;
using Spectre.Console;
using VkResNet.Distributed;
using VkResNet.Graph.Data;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Models;
using VkResNet.Graph.Training;
using VkResNet.Runtime;

namespace VkResNet.Cli.Commands;

/// <summary>
/// <c>mpirun -np N vkresnet bench --train --distributed</c>: per model and batch (per rank), the data-parallel step
/// time against one rank stepping alone (the others idle), the all-reduce time of the gradient buckets on their own
/// (no compute beside them), the share of it hidden behind backward in real steps, and the scaling efficiency
/// T(1 rank) / T(N ranks) at the same per-rank batch (weak scaling). With <c>--sync-bn</c> it also times SyncBatchNorm
/// steps (a second graph), alternating with the per-replica BN steps, and the host's BN all-reduces in them. Rank 0 prints.
/// </summary>
public static class DistributedBench
{
    /// <summary>A bucket: its bytes, its all-reduce alone, and when backward handed it to the host (ms after the step's submit, 1 rank alone).</summary>
    public sealed record BucketTime(long Bytes, double AllReduceMs, double ReadyMs);

    public sealed record Row(string Model, int Batch, int Ranks, double AloneMs, double StepMs, double AllReduceMs, double ExposedMs,
                             double HiddenShare, double Efficiency, IReadOnlyList<BucketTime> Buckets);

    public static int Run(BenchCommand.Settings s, long bucketBytes, Device device, MpiReducer reducer, bool syncBn = false)
    {
        bool root = reducer.Rank == 0;
        if (root) AnsiConsole.MarkupLine($"[bold]ranks[/]  {reducer.WorldSize} over MPI ({Markup.Escape(reducer.Library)}), buckets of {bucketBytes / 1048576.0:F1} MB; rank 0's device: {Markup.Escape(device.Info.Line)}");
        var rows = new List<Row>();
        foreach (string name in s.Models)
            foreach (int batch in s.Batches)
                rows.Add(Measure(name, batch, s, bucketBytes, device, reducer, syncBn));
        if (!root) return 0;
        var table = new Table().Border(TableBorder.Rounded).AddColumns("model", "batch/rank", "ranks", "1 rank alone ms", "step ms", "all-reduce ms",
            "exposed ms", "hidden", "efficiency");
        foreach (var r in rows)
            table.AddRow(r.Model, r.Batch.ToString(), r.Ranks.ToString(), $"{r.AloneMs:F1}", $"{r.StepMs:F1}", $"{r.AllReduceMs:F2}",
                $"{r.ExposedMs:F2}", $"{100 * r.HiddenShare:F0}%", $"{100 * r.Efficiency:F0}%");
        AnsiConsole.Write(table);
        foreach (var r in rows)
            foreach (var b in r.Buckets)
                AnsiConsole.MarkupLine($"  {r.Model} b{r.Batch} bucket {b.Bytes / 1048576.0:F2} MB: ready {b.ReadyMs:F1} ms after submit ({100 * b.ReadyMs / r.AloneMs:F0}% of the step), " +
                    $"all-reduce {b.AllReduceMs:F2} ms ({b.Bytes / (b.AllReduceMs * 1e-3) / 1e9:F2} GB/s algorithm bandwidth)");
        AnsiConsole.MarkupLine("(hidden: 1 - exposed wait / all-reduce alone; efficiency: 1-rank-alone step / N-rank step at the same batch per rank)");
        return 0;
    }

    static Row Measure(string name, int batch, BenchCommand.Settings s, long bucketBytes, Device device, MpiReducer reducer, bool syncBn)
    {
        bool imagenet = ModelCatalog.IsImageNet(name);
        var (c, h, w, classes) = imagenet ? (3, 224, 224, 1000) : (1, 28, 28, 10);
        var spec = ModelCatalog.Resolve(name, c, h, w, classes);
        var model = ResNetBuilder.Build(spec, batch, ResNetMode.Train);
        using var graph = CompiledGraph.Compile(device, model.Graph, CommonOptions.Compile() with { Tuning = Graph.Tuning.TuningOptions.Off });
        ParameterInitializer.Initialize(graph, seed: 1);
        var data = Synthetic(c, h, w, classes, 2 * batch * reducer.WorldSize);
        var loader = new BatchLoaderOptions { BatchSize = batch, Seed = 1, Normalization = Normalization.None(c), DropLast = true };
        int n = s.Warmup + s.Iterations;

        // One rank alone: rank 0 steps without a reducer while the others wait (idle) in a broadcast.
        double alone = 0;
        var ready = new double[1 + 64];
        if (reducer.Rank == 0)
        {
            using var single = new DataParallelStep(graph, model, data, loader, 1, null, bucketBytes, 0, 0);
            for (int i = 0; i < n; i++)
            {
                single.Run(i, 1e-4f);
                if (i < s.Warmup) continue;
                alone += single.LastTimes!.Value.Step;
                for (int b = 0; b < single.BucketReadySeconds.Length && b < 64; b++) ready[1 + b] += 1000 * single.BucketReadySeconds[b] / s.Iterations;
            }
            ready[0] = alone / s.Iterations;
        }
        reducer.Broadcast(MemoryMarshal.AsBytes(ready.AsSpan()));
        alone = ready[0];

        // The buckets' all-reduces on their own, one after the other.
        using var parallel = new DataParallelStep(graph, model, data, loader, 1, reducer, bucketBytes, 0, 0);
        var buckets = parallel.Buckets;
        var send = GC.AllocateArray<float>(buckets.Max(b => b.Count), pinned: true);
        var receive = GC.AllocateArray<float>(send.Length, pinned: true);
        var bucketMs = new double[buckets.Count];
        for (int i = 0; i < n; i++)
            for (int b = 0; b < buckets.Count; b++)
            {
                long t0 = Stopwatch.GetTimestamp();
                reducer.BeginAllReduce(b, send.AsSpan(0, buckets[b].Count), receive.AsSpan(0, buckets[b].Count));
                reducer.WaitAll();
                if (i >= s.Warmup) bucketMs[b] += Stopwatch.GetElapsedTime(t0).TotalMilliseconds / s.Iterations;
            }

        // Real data-parallel steps; with --sync-bn, each followed by a SyncBatchNorm step of the same batch on its own graph.
        parallel.BroadcastState();
        var syncModel = syncBn ? ResNetBuilder.Build(spec, batch, ResNetMode.Train, new ResNetBuildOptions(SyncBatchNormRanks: reducer.WorldSize)) : null;
        using var syncGraph = syncModel != null ? CompiledGraph.Compile(device, syncModel.Graph, CommonOptions.Compile() with { Tuning = Graph.Tuning.TuningOptions.Off }) : null;
        if (syncGraph != null) ParameterInitializer.Initialize(syncGraph, seed: 1);
        using var syncStep = syncGraph != null ? new DataParallelStep(syncGraph, syncModel!, data, loader, 1, reducer, bucketBytes, 0, 0, syncBatchNorm: true) : null;
        syncStep?.BroadcastState();
        StepTimes? total = null, syncTotal = null;
        for (int i = 0; i < n; i++)
        {
            parallel.Run(i, 1e-4f);
            if (i >= s.Warmup) total = total is null ? parallel.LastTimes! : total + parallel.LastTimes!;
            if (syncStep == null) continue;
            syncStep.Run(i, 1e-4f);
            if (i >= s.Warmup) syncTotal = syncTotal is null ? syncStep.LastTimes! : syncTotal + syncStep.LastTimes!;
        }
        double step = 1000 * total!.Value.Step / s.Iterations, exposed = 1000 * total.Value.ExposedAllReduce / s.Iterations, allReduce = bucketMs.Sum();
        if (reducer.Rank == 0)
            AnsiConsole.MarkupLine($"  {spec.Name} training batch {batch} x {reducer.WorldSize} ranks: step {step:F1} ms (alone {1000 * alone:F1} ms)");
        if (reducer.Rank == 0 && syncTotal != null)
        {
            double syncMs = 1000 * syncTotal.Value.Step / s.Iterations, bnMs = 1000 * syncTotal.Value.BatchNormAllReduce / s.Iterations;
            AnsiConsole.MarkupLine($"  {spec.Name} batch {batch} x {reducer.WorldSize} ranks with --sync-bn: step {syncMs:F1} ms against {step:F1} ms " +
                $"with per-replica BN, alternating ({100 * (syncMs / step - 1):+0.0;-0.0}%); {syncStep!.BatchNormAllReduces} BN all-reduces per step took " +
                $"{bnMs:F1} ms ({bnMs / syncStep!.BatchNormAllReduces:F2} ms each, {100 * bnMs / syncMs:F1}% of the step; the device idles meanwhile)");
        }
        return new Row(spec.Name, batch, reducer.WorldSize, 1000 * alone, step, allReduce, exposed,
            allReduce > 0 ? Math.Clamp(1 - exposed / allReduce, 0, 1) : 1, 1000 * alone / step,
            buckets.Select((b, i) => new BucketTime(b.Bytes, bucketMs[i], i < 64 ? ready[1 + i] : double.NaN)).ToList());
    }

    static Dataset Synthetic(int c, int h, int w, int classes, int count)
    {
        var rng = new Random(3);
        var pixels = new byte[count * c * h * w];
        rng.NextBytes(pixels);
        return new Dataset("synthetic", c, h, w, pixels, Enumerable.Range(0, count).Select(i => i % classes).ToArray(),
                           Enumerable.Range(0, classes).Select(i => $"class {i}").ToArray());
    }
}
