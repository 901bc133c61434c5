using VkResNet.Graph.Ir;
using VkResNet.Runtime;

namespace VkResNet.Graph.Compiler;

public sealed record PlanOptions(
    bool FullBarriers = false,                     // debug: a barrier before every pass, for hunting a race
    bool DropDeadPasses = true,
    KernelVariant Variant = KernelVariant.Cpu);    // sizes the ops' scratch (the _cpu kernels need none)

/// <summary>Compiles a graph into a <see cref="GraphPlan"/>; each phase is one line here.</summary>
public static class GraphCompiler
{
    public static GraphPlan Plan(FrameGraph graph, PlanOptions? options = null)
    {
        options ??= new PlanOptions();
        var live = options.DropDeadPasses ? DeadPassElimination.Run(graph.Ops) : graph.Ops; // drop passes nothing reads
        var order = TopologicalOrder.Run(live);                                             // order
        var lifetimes = Lifetimes.Run(order);                                               // first/last use of transients
        var (tensors, scratch, resources) = Allocate(order, lifetimes, options.Variant);    // alias transients + scratch, lay out persistents
        var passes = PlanBarriers(graph, order, tensors, scratch, options.FullBarriers);   // barriers from declared ranges
        var dropped = graph.Ops.Except(live).Select(o => o.Name).ToList();
        return new GraphPlan(resources, tensors.Values.OrderBy(t => t.Id.Index).ToList(), passes, dropped,
                             Report(tensors.Values, resources));
    }

    /// <summary>Phase 4: transients and per-pass scratch into the arena (resource 0), persistents packed per kind
    /// in declaration order.</summary>
    static (Dictionary<TensorId, TensorPlacement>, Dictionary<int, ByteRange>, List<PlannedResource>) Allocate(
        IReadOnlyList<Op> order, Dictionary<Tensor, Lifetime> lifetimes, KernelVariant variant)
    {
        var used = order.SelectMany(o => o.Accesses).Select(a => a.Tensor).Distinct().OrderBy(t => t.Id.Index).ToList();
        var placements = new Dictionary<TensorId, TensorPlacement>();

        var transients = used.Where(t => t.IsTransient).ToList();
        var scratchPasses = Enumerable.Range(0, order.Count).Where(i => order[i].ScratchBytes(variant) > 0).ToList();
        var requests = transients.Select(t => new ArenaRequest(t.AlignedBytes, lifetimes[t]))
            .Concat(scratchPasses.Select(i => new ArenaRequest(ArenaAllocator.AlignUp(order[i].ScratchBytes(variant)), new Lifetime(i, i)))).ToList();
        var (offsets, arena) = ArenaAllocator.Allocate(requests);
        for (int i = 0; i < transients.Count; i++)
            placements[transients[i].Id] = Place(transients[i], GraphPlan.ArenaResource, offsets[i], lifetimes[transients[i]]);
        var scratch = new Dictionary<int, ByteRange>();
        for (int k = 0; k < scratchPasses.Count; k++)
            scratch[scratchPasses[k]] = new ByteRange(GraphPlan.ArenaResource, offsets[transients.Count + k], requests[transients.Count + k].Size);

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
        return (placements, scratch, resources);
    }

    static TensorPlacement Place(Tensor t, int resource, long offset, Lifetime? lifetime) =>
        new(t.Id, t.Name, t.Kind, t.ElementType, t.Shape, resource, offset, t.AlignedBytes, lifetime);

    /// <summary>Phase 5: each pass's byte ranges and the barriers <see cref="BarrierPlanner"/> derives from them.</summary>
    static List<PlannedPass> PlanBarriers(FrameGraph graph, IReadOnlyList<Op> order, Dictionary<TensorId, TensorPlacement> tensors,
                                          Dictionary<int, ByteRange> scratch, bool full)
    {
        IEnumerable<ByteRange> Scratch(int i) => scratch.TryGetValue(i, out var r) ? [r] : [];
        var accesses = order.Select((op, i) => new PassAccesses(
            op.Accesses.Where(a => a.Reads).Select(a => tensors[a.Tensor.Id].Range).Concat(Scratch(i)).ToList(),
            op.Accesses.Where(a => a.Writes).Select(a => tensors[a.Tensor.Id].Range).Concat(Scratch(i)).ToList())).ToList();
        var barriers = full ? Enumerable.Repeat(true, order.Count).ToArray() : BarrierPlanner.Plan(accesses);
        var opIndex = new Dictionary<Op, int>();
        for (int i = 0; i < graph.Ops.Count; i++)
            opIndex[graph.Ops[i]] = i;
        return order.Select((op, i) => new PlannedPass(i, opIndex[op], op.Name, op.Type, op.Stage, op.Phase,
            op.Accesses.Where(a => a.Reads).Select(a => a.Tensor.Id).ToList(),
            op.Accesses.Where(a => a.Writes).Select(a => a.Tensor.Id).ToList(),
            accesses[i].Reads, accesses[i].Writes, barriers[i], scratch.TryGetValue(i, out var r) ? r : null)).ToList();
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
