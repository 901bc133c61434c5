using System.Collections.Concurrent;
using BenchmarkDotNet.Running;

namespace VkResNet.Bench;

/// <summary>
/// What a benchmark case knows beyond BenchmarkDotNet's wall time: the FLOPs of one call and, for kernel
/// benchmarks, the GPU time of each call read from timestamps around the dispatches (so submit and fence
/// overhead is left out). Benchmarks run in process, so the columns read this store directly.
/// </summary>
public sealed class Measurement
{
    readonly double[] _gpuMs = new double[256];
    int _count;

    public Measurement(double flops) => Flops = flops;

    public double Flops { get; }
    public int Count => _count;

    /// <summary>Adds one call's GPU time (no allocation: a fixed array, the oldest overwritten past 256).</summary>
    public void AddGpuMs(double ms) => _gpuMs[_count++ % _gpuMs.Length] = ms;

    /// <summary>Median of the last <paramref name="last"/> calls (the measured iterations, after jitting and warm-up).</summary>
    public double? MedianGpuMs(int last)
    {
        int n = Math.Min(Math.Min(last, _count), _gpuMs.Length);
        if (n == 0) return null;
        var tail = new double[n];
        for (int i = 0; i < n; i++) tail[i] = _gpuMs[(_count - n + i) % _gpuMs.Length];
        Array.Sort(tail);
        return n % 2 == 1 ? tail[n / 2] : (tail[n / 2 - 1] + tail[n / 2]) / 2;
    }
}

public static class Measurements
{
    static readonly ConcurrentDictionary<string, Measurement> Store = new();

    /// <summary>Key of a case: its type and its parameters by name, as the benchmark and the columns both see them.</summary>
    public static string Key(Type type, params (string Name, object? Value)[] parameters) =>
        type.Name + ":" + string.Join(",", parameters.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value}"));

    public static string Key(BenchmarkCase c) =>
        Key(c.Descriptor.Type, c.Parameters.Items.Select(p => (p.Name, (object?)p.Value)).ToArray());

    public static Measurement Start(string key, double flops) => Store[key] = new Measurement(flops);

    public static Measurement? Find(BenchmarkCase c) => Store.TryGetValue(Key(c), out var m) ? m : null;
}
