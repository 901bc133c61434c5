using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace VkResNet.Bench;

/// <summary>
/// GFLOP, GPU ms, GFLOP/s, share of the run's measured fp32 peak and allocation per call, for every case that
/// registered in <see cref="Measurements"/>. Rates divide by the GPU time where the case recorded timestamps
/// (kernels, peak), else by BenchmarkDotNet's median wall time (whole models).
/// </summary>
public sealed class RateColumn(string name, Func<Summary, BenchmarkCase, double?> value, string format, string legend) : IColumn
{
    public string Id => "VkResNet." + name;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => legend;
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        value(summary, benchmarkCase) is double v && double.IsFinite(v) ? v.ToString(format, System.Globalization.CultureInfo.InvariantCulture) : "-";
    public override string ToString() => ColumnName;

    /// <summary>Milliseconds of one call: GPU median over the measured iterations, else BenchmarkDotNet's wall median.</summary>
    public static double? Milliseconds(Summary summary, BenchmarkCase c)
    {
        var m = Measurements.Find(c);
        if (m is null) return null;
        if (m.MedianGpuMs(Measured(c, m.GpuCount)) is double gpu) return gpu;
        return summary[c]?.ResultStatistics?.Median / 1e6;
    }

    // The measured iterations are the last calls (BenchmarkDotNet ran jitting and warm-up calls first).
    static int Measured(BenchmarkCase c, int calls) => c.Job.Run.IterationCount > 0 ? c.Job.Run.IterationCount : Math.Max(1, calls - 2);

    public static double? Gflops(Summary s, BenchmarkCase c) =>
        Measurements.Find(c) is { } m && Milliseconds(s, c) is double ms && ms > 0 ? m.Flops / (ms * 1e6) : null;

    public static IColumn[] All() =>
    [
        new RateColumn("GFLOP", (_, c) => Measurements.Find(c)?.Flops / 1e9, "F3", "FLOPs of one call in 10^9 (conv: direct convolution, 2 x MACs; models: sum over the passes; peak: 2 x FMAs)"),
        new RateColumn("GPU ms", (s, c) => Measurements.Find(c)?.GpuCount > 0 ? Milliseconds(s, c) : null, "F3",
            "Median GPU time of one call from timestamps around its dispatches (measured iterations only)"),
        new RateColumn("GFLOP/s", (s, c) => Gflops(s, c), "F1",
            "GFLOP / time: GPU time where the case has timestamps (kernels), else BenchmarkDotNet's median wall time"),
        new RateColumn("% peak", (s, c) => Gflops(s, c) / BenchDevice.Peak.Vec4GflopsMedian * 100, "F1",
            "GFLOP/s as a share of the vec4 FMA peak measured by PeakProbe at the start of this run"),
        new RateColumn("Alloc B/call", (_, c) => Measurements.Find(c) is { } m ? m.MaxAllocated(Measured(c, m.AllocationCount)) : null, "F0",
            "Largest managed allocation of one measured call on the benchmark thread (GC.GetAllocatedBytesForCurrentThread, exact; "
            + "BenchmarkDotNet 0.15.8's Allocated counts the whole process: with one call per iteration a stray 288 B lands on some cases)"),
    ];
}
