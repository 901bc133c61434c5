using System.Text;
using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Compiler;

/// <summary>What aliasing saved: arena size against the transients laid end to end, and persistent bytes by kind.</summary>
public sealed record MemoryReport(
    long ArenaBytes,
    long TransientBytesWithoutAliasing,
    int TransientCount,
    string LargestTransient,
    long LargestTransientBytes,
    IReadOnlyDictionary<TensorKind, long> PersistentBytesByKind)
{
    public long PersistentBytes => PersistentBytesByKind.Values.Sum();
    public double AliasingSaving => TransientBytesWithoutAliasing == 0 ? 1 : (double)TransientBytesWithoutAliasing / Math.Max(1, ArenaBytes);
    public double ArenaOverLargest => LargestTransientBytes == 0 ? 0 : (double)ArenaBytes / LargestTransientBytes;

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"transient arena      {Mib(ArenaBytes),12}  ({TransientCount} tensors, {Mib(TransientBytesWithoutAliasing)} without aliasing, x{AliasingSaving:F2} saved)");
        sb.AppendLine($"largest transient    {Mib(LargestTransientBytes),12}  {LargestTransient} (arena = x{ArenaOverLargest:F2})");
        foreach (var (kind, bytes) in PersistentBytesByKind.OrderBy(kv => kv.Key))
            sb.AppendLine($"{kind,-20} {Mib(bytes),12}");
        sb.Append($"{"persistent total",-20} {Mib(PersistentBytes),12}");
        return sb.ToString();
    }

    static string Mib(long bytes) => $"{bytes / (1024.0 * 1024.0):F2} MiB";
}
