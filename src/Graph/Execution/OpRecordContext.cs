using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Kernels;
using VkResNet.Runtime;

namespace VkResNet.Graph.Execution;

/// <summary>
/// What an op's Record hook sees: the recorder to dispatch through and each tensor's buffer slice
/// (16-byte aligned offset, size rounded up to 16), resolved from the plan and the resources created for it.
/// </summary>
public sealed class OpRecordContext
{
    readonly IReadOnlyList<BufferSlice> resources;

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
        if (plan.ScratchResource >= 0) Scratch = resources[plan.ScratchResource];
    }

    public IDispatchRecorder Recorder { get; }

    /// <summary>
    /// Shared scratch for passes whose kernels use one (<see cref="Ir.Op.ScratchBytes"/>): the plan's scratch resource
    /// (<see cref="GraphPlan.ScratchResource"/>) unless given; null when no pass uses it.
    /// </summary>
    public BufferSlice? Scratch { get; init; }
    public GraphPlan Plan { get; }

    /// <summary>The graph's kernel choices; null: the fixed rules, within the scratch given.</summary>
    public KernelSelection? Kernels { get; init; }

    /// <summary>The candidate a conv pass records for its key.</summary>
    public ConvCandidate Choose(ConvKey key) => Kernels?.Choose(key) ?? ConvCandidates.Rules(key, Recorder.Variant, null, Scratch?.Size ?? 0);

    public BufferSlice Slice(Tensor t) => Slice(t.Id);

    /// <summary>The kernels' NCHW shape of a rank-4 tensor.</summary>
    public static NchwShape Nchw(Tensor t) => new(t.Shape.N, t.Shape.C, t.Shape.H, t.Shape.W);

    /// <summary>The device bytes of a planned range.</summary>
    public BufferSlice Slice(ByteRange r) => resources[r.Resource].Slice(r.Offset, r.Size);

    public BufferSlice Slice(TensorId id)
    {
        var p = Plan.Placement(id);
        return resources[p.Resource].Slice(p.Offset, p.Bytes);
    }
}
