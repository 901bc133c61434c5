using VkResNet.Graph.Kernels;
using VkResNet.Runtime;

namespace VkResNet.Graph.Compiler;

/// <summary>
/// Decides where barriers go from declared byte ranges: a pass needs a barrier before it when it
/// reads a range written since the last barrier (read after write), or writes a range read or
/// written since then (write after read / write after write). Pure bookkeeping, no GPU: the plan's
/// <see cref="BarrierPlanner"/> (resources by index) and the CommandRecorder (buffers) share this one rule.
/// </summary>
public sealed class HazardTracker
{
    readonly List<(object Resource, long Start, long End)> _written = [];
    readonly List<(object Resource, long Start, long End)> _read = [];

    public bool NeedsBarrier(ReadOnlySpan<Access> accesses)
    {
        foreach (var a in accesses)
        {
            var r = (a.Slice.Buffer, a.Slice.Offset, a.Slice.End);
            if (Overlaps(_written, r)) return true;
            if (a.Writes && Overlaps(_read, r)) return true;
        }
        return false;
    }

    public bool NeedsBarrier(object resource, long start, long end, bool writes) =>
        Overlaps(_written, (resource, start, end)) || writes && Overlaps(_read, (resource, start, end));

    public void Record(ReadOnlySpan<Access> accesses)
    {
        foreach (var a in accesses) Record(a.Slice.Buffer, a.Slice.Offset, a.Slice.End, a.Writes, a.Reads);
    }

    public void Record(object resource, long start, long end, bool writes, bool reads)
    {
        if (writes) _written.Add((resource, start, end));
        if (reads) _read.Add((resource, start, end));
    }

    /// <summary>A barrier was placed: nothing before it can conflict with what follows.</summary>
    public void Clear()
    {
        _written.Clear();
        _read.Clear();
    }

    static bool Overlaps(List<(object Resource, long Start, long End)> list, (object Resource, long Start, long End) r)
    {
        foreach (var x in list)
            if (Equals(x.Resource, r.Resource) && x.Start < r.End && r.Start < x.End) return true;
        return false;
    }
}
