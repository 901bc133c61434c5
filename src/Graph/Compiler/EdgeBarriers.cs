using VkResNet.Runtime;

namespace VkResNet.Graph.Compiler;

/// <summary>
/// Where a recording of the plan's passes meets something that is not a pass: a copy in or out of the graph's tensors,
/// the host, or another submission. <see cref="BarrierPlanner"/> decides the barriers between and inside passes from
/// their byte ranges; these are the rest, and <see cref="EdgeBarriers.Of"/> is the one place their kind is chosen.
/// </summary>
public enum PlanEdge : byte
{
    /// <summary>Copies or fills wrote graph tensors (host-written inputs, reduced gradients, zeros); passes read them next.</summary>
    TransfersIn,
    /// <summary>Passes wrote tensors that copies read next (outputs, gradient buckets, BN sums, a device-to-device copy).</summary>
    TransfersOut,
    /// <summary>Copies wrote mapped readback memory; the host reads it once the submission's fence or semaphore signals.</summary>
    HostReads,
    /// <summary>
    /// A submission starts by overwriting tensors that an earlier submission's passes or copies may still read or write
    /// (the input of the next real-time inference, gradients replaced by the reduced ones, a BN sum after a cut).
    /// </summary>
    Overwrite,
    /// <summary>Some passes run as their own submission after others (a real-time frame slice, a checked pass): after everything before.</summary>
    Submission,
}

/// <summary>The barrier each <see cref="PlanEdge"/> takes: the one place an edge's barrier kind is chosen.</summary>
public static class EdgeBarriers
{
    public static BarrierKind Of(PlanEdge edge) => edge switch
    {
        PlanEdge.TransfersIn => BarrierKind.TransferToCompute,
        PlanEdge.TransfersOut => BarrierKind.ComputeToTransfer,
        PlanEdge.HostReads => BarrierKind.TransferToHost,
        // Across submissions nothing is known of what the other side touched, and these are rare (once per inference,
        // slice or cut, not per pass): order everything, both ways.
        PlanEdge.Overwrite or PlanEdge.Submission => BarrierKind.Full,
        _ => throw new ArgumentOutOfRangeException(nameof(edge), edge, null),
    };
}

/// <summary>
/// The edges of the plan's one-list step, decided from its tensors: after the uploads when the graph has host-written
/// inputs (images, labels, the learning rate), and around the readback when it has outputs (loss, correct count, logits).
/// </summary>
public sealed record StepEdges(bool Uploads, bool Readbacks)
{
    /// <summary>Recorded between the upload copies and the first pass.</summary>
    public IReadOnlyList<PlanEdge> BeforePasses => Uploads ? [PlanEdge.TransfersIn] : [];
    /// <summary>Recorded after the last pass: one before the readback copies, one after them.</summary>
    public IReadOnlyList<PlanEdge> AfterPasses => Readbacks ? [PlanEdge.TransfersOut, PlanEdge.HostReads] : [];
    public int Count => BeforePasses.Count + AfterPasses.Count;
}
