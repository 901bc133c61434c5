using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Compiler;

/// <summary>
/// Phase 2: a topological order of the passes. Dependencies come from each tensor's accesses in program
/// order: a read depends on the last write, a write on the last write and every read since (so an in-place
/// update such as SGD waits for every pass that reads the old value). Ties go to program order (Kahn).
/// </summary>
public static class TopologicalOrder
{
    public static IReadOnlyList<Op> Run(IReadOnlyList<Op> ops)
    {
        var index = new Dictionary<Op, int>();
        for (int i = 0; i < ops.Count; i++)
            index[ops[i]] = i;
        var successors = new List<int>[ops.Count];
        var indegree = new int[ops.Count];
        for (int i = 0; i < ops.Count; i++)
            successors[i] = [];

        var lastWriter = new Dictionary<Tensor, int>();
        var readersSinceWrite = new Dictionary<Tensor, List<int>>();
        void Edge(int from, int to)
        {
            if (from == to || successors[from].Contains(to))
                return;
            successors[from].Add(to);
            indegree[to]++;
        }
        for (int i = 0; i < ops.Count; i++)
        {
            foreach (var a in ops[i].Accesses)
            {
                if (lastWriter.TryGetValue(a.Tensor, out int w))
                    Edge(w, i);
                if (a.Writes && readersSinceWrite.TryGetValue(a.Tensor, out var rs))
                    foreach (int r in rs)
                        Edge(r, i);
            }
            foreach (var a in ops[i].Accesses)
            {
                if (a.Writes)
                {
                    lastWriter[a.Tensor] = i;
                    readersSinceWrite[a.Tensor] = [];
                }
                if (a.Reads && !a.Writes)
                    (readersSinceWrite.TryGetValue(a.Tensor, out var l) ? l : readersSinceWrite[a.Tensor] = []).Add(i);
            }
        }

        var ready = new PriorityQueue<int, int>();
        for (int i = 0; i < ops.Count; i++)
            if (indegree[i] == 0)
                ready.Enqueue(i, i);
        var order = new List<Op>(ops.Count);
        while (ready.TryDequeue(out int i, out _))
        {
            order.Add(ops[i]);
            foreach (int s in successors[i])
                if (--indegree[s] == 0)
                    ready.Enqueue(s, s);
        }
        if (order.Count != ops.Count)
            throw new InvalidOperationException("The graph has a cycle.");
        return order;
    }
}
