namespace VkResNet.Graph.Embedding;

/// <summary>
/// A GPU buffer of RGBA8 pixels registered with <see cref="RealtimeInference.RegisterRgba8"/>: each
/// inference from it runs the rgba8_to_nchw pre-pass straight from the app's memory (no host copy).
/// A view; the inference owns what registration created.
/// </summary>
public readonly record struct Rgba8Source(int Index)
{
    public override string ToString() => $"rgba8 source {Index}";
}
