using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Compiler;

/// <summary>Phase 1: drop passes nothing reads. A pass is live when it writes a persistent tensor
/// (parameters, running stats, outputs...) or a transient one that a live pass reads.</summary>
public static class DeadPassElimination
{
    public static IReadOnlyList<Op> Run(IReadOnlyList<Op> ops)
    {
        var writers = new Dictionary<Tensor, List<Op>>();
        foreach (var op in ops)
            foreach (var t in op.Outputs)
                (writers.TryGetValue(t, out var l) ? l : writers[t] = []).Add(op);

        var live = new HashSet<Op>();
        var work = new Stack<Op>(ops.Where(o => o.Outputs.Any(t => !t.IsTransient)));
        while (work.TryPop(out var op))
        {
            if (!live.Add(op))
                continue;
            foreach (var t in op.Inputs)
                if (writers.TryGetValue(t, out var ws))
                    foreach (var w in ws)
                        work.Push(w);
        }
        return ops.Where(live.Contains).ToList();
    }
}
