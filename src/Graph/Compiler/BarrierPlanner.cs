namespace VkResNet.Graph.Compiler;

/// <summary>
/// Places memory barriers from declared byte ranges. A barrier goes before pass i only when pass i
/// reads or writes a range that a pass since the last barrier wrote (RAW, WAW), or writes a range that a
/// pass since the last barrier read (WAR). A barrier makes everything before it visible, so the
/// bookkeeping restarts from pass i. Pure; the CommandRecorder reuses it for a launcher's dispatches.
/// </summary>
public static class BarrierPlanner
{
    /// <summary>barrierBefore[i] is true when pass i needs a compute-to-compute barrier before it.</summary>
    public static bool[] Plan(IReadOnlyList<PassAccesses> passes)
    {
        var tracker = new BarrierTracker();
        var barrierBefore = new bool[passes.Count];
        for (int i = 0; i < passes.Count; i++)
            barrierBefore[i] = tracker.Add(passes[i]);
        return barrierBefore;
    }
}

/// <summary>
/// The same rule, one pass (or dispatch) at a time, for a recorder that emits as it goes:
/// <c>if (tracker.Add(access)) list.ComputeBarrier();</c> then record the dispatch.
/// </summary>
public sealed class BarrierTracker
{
    readonly List<ByteRange> written = [];
    readonly List<ByteRange> read = [];

    /// <summary>Registers the next pass; true when a barrier must be recorded before it.</summary>
    public bool Add(PassAccesses pass)
    {
        bool hazard = AnyOverlap(pass.Reads, written) || AnyOverlap(pass.Writes, written) || AnyOverlap(pass.Writes, read);
        if (hazard)
            Reset();
        written.AddRange(pass.Writes);
        read.AddRange(pass.Reads);
        return hazard;
    }

    /// <summary>Forget everything, e.g. after a barrier recorded for another reason (a transfer, a new submit).</summary>
    public void Reset()
    {
        written.Clear();
        read.Clear();
    }

    static bool AnyOverlap(IReadOnlyList<ByteRange> a, List<ByteRange> b)
    {
        foreach (var x in a)
            foreach (var y in b)
                if (x.Overlaps(y))
                    return true;
        return false;
    }
}
