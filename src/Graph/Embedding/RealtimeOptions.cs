using VkResNet.Graph.Data;

namespace VkResNet.Graph.Embedding;

/// <summary>How to set up a <see cref="RealtimeInference"/>.</summary>
public sealed record RealtimeOptions
{
    /// <summary>Inferences that may be in flight at once: the upload and readback rings hold this many slots.</summary>
    public int Slots { get; init; } = 3;

    /// <summary>Frame slicing budget; null: slicing is not prepared (one-shot submissions and Record only).</summary>
    public SliceBudget? Slicing { get; init; }

    /// <summary>Mean and std the RGBA8 pre-pass normalises with; null: none (x = pixel / 255).</summary>
    public Normalization? Normalization { get; init; }

    /// <summary>Warm-up runs that measure per-pass GPU times (the median is kept).</summary>
    public int ProfileRuns { get; init; } = 3;
}
