using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Compiler;

/// <summary>A buffer the plan asks for: resource 0 is the transient arena, then one per persistent kind.</summary>
public sealed record PlannedResource(int Index, string Name, TensorKind? Kind, long Bytes);

/// <summary>Where a tensor lives: resource, 16-byte aligned offset, aligned size; lifetime for transients.</summary>
public sealed record TensorPlacement(TensorId Id, string Name, TensorKind Kind, ElementType ElementType, TensorShape Shape,
                                     int Resource, long Offset, long Bytes, Lifetime? Lifetime)
{
    public ByteRange Range => new(Resource, Offset, Bytes);
}

/// <summary>One pass in execution order: its declared byte ranges (ReadTensors[i] lies at Reads[i], likewise
/// for writes; a read-write tensor is in both), the scratch it uses, and whether a barrier precedes it.</summary>
public sealed record PlannedPass(int Index, int OpIndex, string Name, string Type, string Stage, OpPhase Phase,
                                 IReadOnlyList<TensorId> ReadTensors, IReadOnlyList<TensorId> WriteTensors,
                                 IReadOnlyList<ByteRange> Reads, IReadOnlyList<ByteRange> Writes, bool BarrierBefore)
{
    /// <summary>The bytes of the plan's scratch resource this pass's kernels read and write; null: none.</summary>
    public ByteRange? Scratch { get; init; }

    /// <summary>Everything the pass touches, scratch included: what its barriers are planned from.</summary>
    public PassAccesses Accesses => WithScratch(Reads, Writes, Scratch);

    internal static PassAccesses WithScratch(IReadOnlyList<ByteRange> reads, IReadOnlyList<ByteRange> writes, ByteRange? scratch) =>
        scratch is { } s ? new([.. reads, s], [.. writes, s]) : new(reads, writes);
}

/// <summary>
/// The compiled plan, pure data: resources to create, where each tensor lives, the pass order
/// (OpIndex points into <see cref="Ir.FrameGraph.Ops"/> of the graph it was planned from) and the barriers.
/// </summary>
public sealed record GraphPlan(
    IReadOnlyList<PlannedResource> Resources,
    IReadOnlyList<TensorPlacement> Tensors,
    IReadOnlyList<PlannedPass> Passes,
    IReadOnlyList<string> DroppedOps,
    MemoryReport Memory)
{
    readonly Dictionary<TensorId, TensorPlacement> byId = Tensors.ToDictionary(t => t.Id);

    public const int ArenaResource = 0;

    /// <summary>The resource of the shared scratch that kernels of some passes use (the last resource); -1: no pass uses scratch.</summary>
    public int ScratchResource { get; init; } = -1;

    /// <summary>Planned with the race-hunting switch: a barrier before every pass and every step inside one.</summary>
    public bool FullBarriers { get; init; }

    /// <summary>The step's edges (uploads before the passes, readback after them), decided from its tensors' kinds.</summary>
    public StepEdges Edges => new(Tensors.Any(t => t.Kind is TensorKind.Input or TensorKind.Label), Tensors.Any(t => t.Kind is TensorKind.Output));

    public long ArenaBytes => Resources[ArenaResource].Bytes;
    /// <summary>Barriers between passes; those inside multi-dispatch passes are planned from their steps when recorded.</summary>
    public int BarrierCount => Passes.Count(p => p.BarrierBefore);

    public TensorPlacement Placement(TensorId id) => byId.TryGetValue(id, out var p)
        ? p : throw new KeyNotFoundException($"Tensor {id} is not used by any planned pass.");
    public bool TryGetPlacement(TensorId id, out TensorPlacement placement) => byId.TryGetValue(id, out placement!);
    public TensorPlacement Placement(string name) => Tensors.FirstOrDefault(t => t.Name == name)
        ?? throw new KeyNotFoundException($"Tensor '{name}' is not used by any planned pass.");
}
