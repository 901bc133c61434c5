namespace VkResNet.Graph.Compiler;

/// <summary>
/// Places memory barriers from declared byte ranges. A barrier goes before pass i only when pass i
/// reads or writes a range that a pass since the last barrier wrote (RAW, WAW), or writes a range that a
/// pass since the last barrier read (WAR). A barrier makes everything before it visible, so the
/// bookkeeping restarts from pass i. Pure; the rule itself is <see cref="HazardTracker"/>, which the CommandRecorder applies per dispatch.
/// </summary>
public static class BarrierPlanner
{
    /// <summary>barrierBefore[i] is true when pass i needs a compute-to-compute barrier before it.</summary>
    public static bool[] Plan(IReadOnlyList<PassAccesses> passes)
    {
        var barrierBefore = new bool[passes.Count];
        var hazards = new HazardTracker();
        for (int i = 0; i < passes.Count; i++)
        {
            var p = passes[i];
            if (p.Reads.Any(r => hazards.NeedsBarrier(r.Resource, r.Offset, r.Offset + r.Size, writes: false))
                || p.Writes.Any(w => hazards.NeedsBarrier(w.Resource, w.Offset, w.Offset + w.Size, writes: true)))
            {
                barrierBefore[i] = true;
                hazards.Clear();
            }
            foreach (var r in p.Reads) hazards.Record(r.Resource, r.Offset, r.Offset + r.Size, writes: false, reads: true);
            foreach (var w in p.Writes) hazards.Record(w.Resource, w.Offset, w.Offset + w.Size, writes: true, reads: false);
        }
        return barrierBefore;
    }
}
