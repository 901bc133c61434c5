using System.Collections.Concurrent;
using BenchmarkDotNet.Running;

namespace VkResNet.Bench;

/// <summary>
/// What a benchmark case knows beyond BenchmarkDotNet's wall time: the FLOPs of one call; for kernel
/// benchmarks the GPU time of each call read from timestamps around the dispatches (so submit and fence
/// overhead is left out); and the managed bytes each call allocated on the calling thread
/// (GC.GetAllocatedBytesForCurrentThread, exact). Benchmarks run in process, so the columns read this store.
/// </summary>
public sealed class Measurement(double flops)
{
    const int Capacity = 256;
    readonly double[] _gpuMs = new double[Capacity];
    readonly double[] _allocated = new double[Capacity];
    int _gpuCount, _allocCount;

    public double Flops { get; } = flops;
    public int GpuCount => _gpuCount;
    public int AllocationCount => _allocCount;

    /// <summary>Adds one call's GPU time (no allocation: a fixed ring, the oldest overwritten past 256).</summary>
    public void AddGpuMs(double ms) => _gpuMs[_gpuCount++ % Capacity] = ms;

    /// <summary>Adds the bytes one call allocated on the benchmark thread.</summary>
    public void AddAllocated(long bytes) => _allocated[_allocCount++ % Capacity] = bytes;

    /// <summary>
    /// One kernel-benchmark call: replays <paramref name="commands"/> (recorded with two timestamps around the
    /// dispatches), waits, and adds the GPU time between the timestamps and the bytes the call allocated.
    /// </summary>
    public void ReplayTimed(VkResNet.Runtime.CommandList commands)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        commands.Submit();
        commands.Wait();
        Span<double> ts = stackalloc double[2];
        commands.ReadTimestampsMs(ts);
        AddGpuMs(ts[1]);
        AddAllocated(GC.GetAllocatedBytesForCurrentThread() - allocated);
    }

    /// <summary>Median GPU ms of the last <paramref name="last"/> calls (the measured iterations, after jitting and warm-up).</summary>
    public double? MedianGpuMs(int last) => Tail(_gpuMs, _gpuCount, last) is { } t ? Median(t) : null;

    /// <summary>Largest per-call allocation over the last <paramref name="last"/> calls.</summary>
    public double? MaxAllocated(int last) => Tail(_allocated, _allocCount, last)?.Max();

    static double[]? Tail(double[] ring, int count, int last)
    {
        int n = Math.Min(Math.Min(last, count), Capacity);
        if (n == 0) return null;
        var tail = new double[n];
        for (int i = 0; i < n; i++) tail[i] = ring[(count - n + i) % Capacity];
        return tail;
    }

    static double Median(double[] v)
    {
        Array.Sort(v);
        int n = v.Length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
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
