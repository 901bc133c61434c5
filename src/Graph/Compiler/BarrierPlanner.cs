namespace VkResNet.Graph.Compiler;

/// <summary>
/// Places memory barriers from declared byte ranges. A barrier goes before pass i only when pass i
/// reads or writes a range that a pass since the last barrier wrote (RAW, WAW), or writes a range that a
/// pass since the last barrier read (WAR). A barrier makes everything before it visible, so the
/// bookkeeping restarts from pass i. Pure; the rule itself is <see cref="HazardTracker"/>.
/// The same rule places the barriers inside a pass whose kernel is several dispatches (Winograd's transforms and GEMM,
/// split-K and its reduce, flip and forward): <see cref="StepBarriers"/> over its steps, as the pass is recorded.
/// These two are every barrier between and inside passes; recording emits exactly them.
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

    /// <summary>stepBarrier[k] is true when step k of one pass needs a barrier before it (never step 0: the pass's own barrier is <see cref="Plan"/>'s).</summary>
    public static bool[] PlanSteps(IReadOnlyList<PassAccesses> steps, bool full = false)
    {
        var planner = new StepBarriers(full);
        return steps.Select(s => planner.Next(s.Reads.Select(r => (r, false)).Concat(s.Writes.Select(w => (w, true))))).ToArray();
    }
}

/// <summary>
/// Barriers inside one pass, step by step: step k gets one when it reads what an earlier step of the pass wrote since the
/// last barrier, or writes what one read or wrote. Conflicts with earlier passes are the plan's (<see cref="BarrierPlanner.Plan"/>),
/// which covers every range a step may touch because a pass's steps touch only its declared ranges.
/// </summary>
public sealed class StepBarriers(bool full)
{
    readonly HazardTracker _hazards = new();
    int _step;

    /// <summary>A new pass starts: its first step needs no barrier of this planner's.</summary>
    public void Reset()
    {
        _hazards.Clear();
        _step = 0;
    }

    /// <summary>Whether the next step, touching these ranges (resource, start, end, writes), needs a barrier before it.</summary>
    public bool Next<TResource>(IEnumerable<(TResource Resource, long Start, long End, bool Reads, bool Writes)> accesses) where TResource : notnull
    {
        var list = accesses as IReadOnlyList<(TResource Resource, long Start, long End, bool Reads, bool Writes)> ?? accesses.ToList();
        bool barrier = _step++ > 0 && (full || list.Any(a => _hazards.NeedsBarrier(a.Resource, a.Start, a.End, a.Writes)));
        if (barrier) _hazards.Clear();
        foreach (var a in list) _hazards.Record(a.Resource, a.Start, a.End, a.Writes, a.Reads);
        return barrier;
    }

    internal bool Next(IEnumerable<(ByteRange Range, bool Writes)> accesses) =>
        Next(accesses.Select(a => (a.Range.Resource, a.Range.Offset, a.Range.End, !a.Writes, a.Writes)));
}
