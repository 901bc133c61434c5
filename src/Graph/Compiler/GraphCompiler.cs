using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Compiler;

public sealed record PlanOptions(
    bool FullBarriers = false,      // debug: a barrier before every pass, for hunting a race
    bool DropDeadPasses = true);

/// <summary>Compiles a graph into a <see cref="GraphPlan"/>; each phase is one line here.</summary>
public static class GraphCompiler
{
    public static GraphPlan Plan(FrameGraph graph, PlanOptions? options = null)
    {
        options ??= new PlanOptions();
        var live = options.DropDeadPasses ? DeadPassElimination.Run(graph.Ops) : graph.Ops; // drop passes nothing reads
        var order = TopologicalOrder.Run(live);                                               // order
        var lifetimes = Lifetimes.Run(order);                                                 // first/last use of transients
        var (tensors, resources) = Allocate(order, lifetimes);                                // alias transients, lay out persistents
        var passes = PlanBarriers(graph, order, tensors, options.FullBarriers);              // barriers from declared ranges
        var dropped = graph.Ops.Except(live).Select(o => o.Name).ToList();
        return new GraphPlan(resources, tensors.Values.OrderBy(t => t.Id.Index).ToList(), passes, dropped,
                             Report(tensors.Values, resources));
    }

    /// <summary>Phase 4: transients into the arena (resource 0), persistents packed per kind in declaration order.</summary>
    static (Dictionary<TensorId, TensorPlacement>, List<PlannedResource>) Allocate(IReadOnlyList<Op> order, Dictionary<Tensor, Lifetime> lifetimes)
    {
        var used = order.SelectMany(o => o.Accesses).Select(a => a.Tensor).Distinct().OrderBy(t => t.Id.Index).ToList();
        var placements = new Dictionary<TensorId, TensorPlacement>();

        var transients = used.Where(t => t.IsTransient).ToList();
        var (offsets, arena) = ArenaAllocator.Allocate(transients.Select(t => new ArenaRequest(t.AlignedBytes, lifetimes[t])).ToList());
        for (int i = 0; i < transients.Count; i++)
            placements[transients[i].Id] = Place(transients[i], GraphPlan.ArenaResource, offsets[i], lifetimes[transients[i]]);

        var resources = new List<PlannedResource> { new(GraphPlan.ArenaResource, "arena", null, arena) };
        foreach (var group in used.Where(t => !t.IsTransient).GroupBy(t => t.Kind).OrderBy(g => g.Key))
        {
            int index = resources.Count;
            long cursor = 0;
            foreach (var t in group)
            {
                placements[t.Id] = Place(t, index, cursor, null);
                cursor += t.AlignedBytes;
            }
            resources.Add(new PlannedResource(index, group.Key.ToString(), group.Key, cursor));
        }
        return (placements, resources);
    }

    static TensorPlacement Place(Tensor t, int resource, long offset, Lifetime? lifetime) =>
        new(t.Id, t.Name, t.Kind, t.ElementType, t.Shape, resource, offset, t.AlignedBytes, lifetime);

    /// <summary>Phase 5: each pass's byte ranges and the barriers <see cref="BarrierPlanner"/> derives from them.</summary>
    static List<PlannedPass> PlanBarriers(FrameGraph graph, IReadOnlyList<Op> order, Dictionary<TensorId, TensorPlacement> tensors, bool full)
    {
        var accesses = order.Select(op => new PassAccesses(
            op.Accesses.Where(a => a.Reads).Select(a => tensors[a.Tensor.Id].Range).ToList(),
            op.Accesses.Where(a => a.Writes).Select(a => tensors[a.Tensor.Id].Range).ToList())).ToList();
        var barriers = full ? Enumerable.Repeat(true, order.Count).ToArray() : BarrierPlanner.Plan(accesses);
        var opIndex = new Dictionary<Op, int>();
        for (int i = 0; i < graph.Ops.Count; i++)
            opIndex[graph.Ops[i]] = i;
        return order.Select((op, i) => new PlannedPass(i, opIndex[op], op.Name, op.Type, op.Stage, op.Phase,
            op.Accesses.Where(a => a.Reads).Select(a => a.Tensor.Id).ToList(),
            op.Accesses.Where(a => a.Writes).Select(a => a.Tensor.Id).ToList(),
            accesses[i].Reads, accesses[i].Writes, barriers[i])).ToList();
    }

    static MemoryReport Report(IEnumerable<TensorPlacement> tensors, List<PlannedResource> resources)
    {
        var transients = tensors.Where(t => t.Kind.IsTransient()).ToList();
        var largest = transients.MaxBy(t => t.Bytes);
        return new MemoryReport(resources[GraphPlan.ArenaResource].Bytes, transients.Sum(t => t.Bytes), transients.Count,
            largest?.Name ?? "-", largest?.Bytes ?? 0,
            resources.Where(r => r.Kind is not null).ToDictionary(r => r.Kind!.Value, r => r.Bytes));
    }
}
