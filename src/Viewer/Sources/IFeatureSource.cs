using VkResNet.Runtime;

namespace VkResNet.Viewer.Sources;

/// <summary>One named tensor the viewer draws: N x C x H x W float32, NCHW, on the viewer's device.</summary>
public readonly record struct StageView(string Name, int N, int C, int H, int W, BufferSlice Data)
{
    public long Elements => (long)N * C * H * W;
    public override string ToString() => $"{Name} {N}x{C}x{H}x{W}";
}

/// <summary>
/// The seam between the viewer and whatever computes activations (a compiled inference graph, or
/// a synthetic source in tests). Every tensor lives on <see cref="Device"/>; the viewer only reads
/// them from its own compute passes, never back to the host.
/// </summary>
public interface IFeatureSource
{
    Device Device { get; }

    /// <summary>The network input, N x 3 (or 1) x H x W; drawn min/max-normalised.</summary>
    StageView Input { get; }

    /// <summary>Stage outputs in network order (stem conv, after max pool, each residual stage, pooled features).</summary>
    IReadOnlyList<StageView> Stages { get; }

    /// <summary>N x K x 1 x 1 class scores (before softmax), or null when the model has no classifier.</summary>
    StageView? Logits { get; }

    /// <summary>K class names (ASCII; longer names are cut). Empty: classes are shown by index.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>How many images the user can step through with next / previous.</summary>
    int ImageCount { get; }

    /// <summary>Which batch entry n of every tensor holds the current image.</summary>
    int BatchIndex { get; }

    /// <summary>The current image, 0..<see cref="ImageCount"/>-1 (a model source runs batch 1: its images are not batch entries).</summary>
    int ImageIndex => BatchIndex;

    /// <summary>Lines the viewer prints under the image counter (e.g. the true class, the checkpoint's epoch).</summary>
    IReadOnlyList<string> Notes => [];

    /// <summary>
    /// Makes image <paramref name="index"/> current (host side: e.g. uploads it into the input tensor).
    /// Called only while no frame is in flight; the viewer records inference on its next frame.
    /// </summary>
    void SelectImage(int index);

    /// <summary>
    /// Runs one inference (input -> stages -> logits) as part of the viewer's next frame, and returns
    /// true when the tensors changed (the viewer then recomputes statistics and top-5). Either record
    /// the work into <paramref name="commands"/> (compute or transfer; the viewer brackets it with
    /// barriers), or submit a pre-recorded command buffer to the same queue (e.g.
    /// CompiledGraph.Submit()): it then runs before the frame, and the frame's barriers order it.
    /// Stage tensors must not be aliased by later passes of the step (keep them persistent).
    /// Return false when there is nothing to run (static data).
    /// </summary>
    bool RecordInference(CommandList commands);

    /// <summary>
    /// Called once per frame between frames on the viewer's thread (e.g. to apply newly loaded weights);
    /// returns true when the next frame must run inference. Must return quickly.
    /// </summary>
    bool Refresh() => false;

    /// <summary>
    /// GPU milliseconds of the last finished inference when the source times it itself (a graph
    /// submitted ahead of the frame finishes before the frame's own timestamps start); null: the
    /// viewer's timestamps around <see cref="RecordInference"/> measure it.
    /// </summary>
    double? InferenceMs => null;
}
