using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;
using VkResNet.Graph.Kernels;

namespace VkResNet.Graph.Compiler;

public sealed record PlanOptions(
    bool FullBarriers = false,      // debug: a barrier before every pass and every step, for hunting a race
    bool DropDeadPasses = true,
    KernelSelection? Kernels = null); // the kernel choices: their scratch use is planned (null: no pass uses scratch)

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
        var dropped = graph.Ops.Except(live).Select(o => o.Name).ToList();
        var plan = new GraphPlan(resources, tensors.Values.OrderBy(t => t.Id.Index).ToList(), [], dropped, Report(tensors.Values, resources));
        return WithKernels(plan, graph, order, options.Kernels, options.FullBarriers);     // scratch, then barriers from declared ranges
    }

    /// <summary>
    /// Phases 5 and 6 again for an existing plan once the kernels are chosen (the device compile does this): the shared
    /// scratch as a resource and each pass's use of it as a declared read-write, then the barriers.
    /// </summary>
    public static GraphPlan WithKernels(GraphPlan plan, FrameGraph graph, KernelSelection kernels, bool fullBarriers) =>
        WithKernels(plan, graph, plan.Passes.Select(p => graph.Ops[p.OpIndex]).ToList(), kernels, fullBarriers);

    static GraphPlan WithKernels(GraphPlan plan, FrameGraph graph, IReadOnlyList<Op> order, KernelSelection? kernels, bool full)
    {
        var resources = plan.Resources.Where(r => r.Index != plan.ScratchResource).ToList();
        var scratch = order.Select(op => kernels is null ? 0 : (op.ScratchBytes(kernels) + 15) & ~15L).ToArray();
        int scratchResource = -1;
        if (scratch.Length > 0 && scratch.Max() > 0)
        {
            scratchResource = resources.Count;
            resources.Add(new PlannedResource(scratchResource, "scratch", null, scratch.Max()));
        }
        var tensors = plan.Tensors.ToDictionary(t => t.Id);
        var passes = PlanBarriers(graph, order, tensors, scratch, scratchResource, full);
        return plan with { Resources = resources, Passes = passes, ScratchResource = scratchResource, FullBarriers = full };
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

    /// <summary>
    /// Phase 6: each pass's byte ranges (its tensors, and its scratch as a transient it reads and writes) and the barriers
    /// <see cref="BarrierPlanner"/> derives from them. Barriers inside a multi-dispatch pass are planned from its steps as it is recorded.
    /// </summary>
    static List<PlannedPass> PlanBarriers(FrameGraph graph, IReadOnlyList<Op> order, Dictionary<TensorId, TensorPlacement> tensors,
                                          long[] scratch, int scratchResource, bool full)
    {
        long all = scratch.Length > 0 ? scratch.Max() : 0;
        var passes = order.Select((op, i) => (
            Reads: op.Accesses.Where(a => a.Reads).Select(a => tensors[a.Tensor.Id].Range).ToList(),
            Writes: op.Accesses.Where(a => a.Writes).Select(a => tensors[a.Tensor.Id].Range).ToList(),
            // A user binds the whole shared slice (launchers take it as given), so it declares all of it.
            Scratch: scratch[i] > 0 ? new ByteRange(scratchResource, 0, all) : (ByteRange?)null)).ToList();
        var barriers = full ? Enumerable.Repeat(true, order.Count).ToArray()
            : BarrierPlanner.Plan(passes.Select(p => PlannedPass.WithScratch(p.Reads, p.Writes, p.Scratch)).ToList());
        var opIndex = new Dictionary<Op, int>();
        for (int i = 0; i < graph.Ops.Count; i++)
            opIndex[graph.Ops[i]] = i;
        return order.Select((op, i) => new PlannedPass(i, opIndex[op], op.Name, op.Type, op.Stage, op.Phase,
            op.Accesses.Where(a => a.Reads).Select(a => a.Tensor.Id).ToList(),
            op.Accesses.Where(a => a.Writes).Select(a => a.Tensor.Id).ToList(),
            passes[i].Reads, passes[i].Writes, barriers[i]) { Scratch = passes[i].Scratch }).ToList();
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
