using VkResNet.Graph.Ir;
using VkResNet.Graph.Kernels;
using VkResNet.Runtime;

namespace VkResNet.Graph.Compiler;

/// <summary>
/// What an op's Record hook sees: the recorder to dispatch through and each tensor's buffer slice
/// (16-byte aligned offset, size rounded up to 16), resolved from the plan and the resources created for it.
/// </summary>
public sealed class OpRecordContext
{
    readonly IReadOnlyList<BufferSlice> resources;
    Dictionary<string, PlannedPass>? passByName;

    /// <param name="resources">resources[i] backs plan.Resources[i] and is at least that many bytes</param>
    public OpRecordContext(IDispatchRecorder recorder, GraphPlan plan, IReadOnlyList<BufferSlice> resources)
    {
        if (resources.Count != plan.Resources.Count)
            throw new ArgumentException($"The plan has {plan.Resources.Count} resources, {resources.Count} were given.");
        for (int i = 0; i < resources.Count; i++)
            if (resources[i].Size < plan.Resources[i].Bytes)
                throw new ArgumentException($"Resource {plan.Resources[i].Name} needs {plan.Resources[i].Bytes} bytes, got {resources[i].Size}.");
        Recorder = recorder;
        Plan = plan;
        this.resources = resources;
    }

    public IDispatchRecorder Recorder { get; }
    public GraphPlan Plan { get; }

    /// <summary>The arena scratch block of <paramref name="op"/>'s pass (<see cref="Op.ScratchBytes"/> rounded up to 16).</summary>
    public BufferSlice ScratchFor(Op op) => TryScratchFor(op)
        ?? throw new InvalidOperationException($"{op} has no scratch block in this plan (ScratchBytes was 0 for the planned variant).");

    /// <summary>The scratch block, or null when the plan gave none (e.g. planned for the _cpu variant);
    /// launchers whose scratch is optional take this.</summary>
    public BufferSlice? TryScratchFor(Op op)
    {
        passByName ??= Plan.Passes.ToDictionary(p => p.Name);
        return passByName.TryGetValue(op.Name, out var pass) && pass.Scratch is { } r
            ? resources[r.Resource].Slice(r.Offset, r.Size)
            : null;
    }

    /// <summary>Calls each planned pass's Record hook in plan order. Barriers are the recorder's business:
    /// it derives them from the dispatches' declared accesses (see <see cref="BarrierTracker"/>).</summary>
    public void RecordAll(FrameGraph graph)
    {
        foreach (var pass in Plan.Passes)
            graph.Ops[pass.OpIndex].Record(this);
    }

    public BufferSlice Slice(Tensor t) => Slice(t.Id);

    /// <summary>The kernels' NCHW shape of a rank-4 tensor.</summary>
    public static NchwShape Nchw(Tensor t) => new(t.Shape.N, t.Shape.C, t.Shape.H, t.Shape.W);

    public BufferSlice Slice(TensorId id)
    {
        var p = Plan.Placement(id);
        return resources[p.Resource].Slice(p.Offset, p.Bytes);
    }
}
