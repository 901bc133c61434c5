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
        var barrierBefore = new bool[passes.Count];
        var written = new List<ByteRange>();
        var read = new List<ByteRange>();
        for (int i = 0; i < passes.Count; i++)
        {
            var p = passes[i];
            bool hazard = AnyOverlap(p.Reads, written) || AnyOverlap(p.Writes, written) || AnyOverlap(p.Writes, read);
            if (hazard)
            {
                barrierBefore[i] = true;
                written.Clear();
                read.Clear();
            }
            written.AddRange(p.Writes);
            read.AddRange(p.Reads);
        }
        return barrierBefore;
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
