namespace VkResNet.Graph.Embedding;

/// <summary>
/// A GPU buffer of RGBA8 pixels registered with <see cref="RealtimeInference.RegisterRgba8(VkResNet.Runtime.BufferSlice)"/>, or an
/// app's image registered with <see cref="RealtimeInference.RegisterRgba8Image"/>: each inference from it runs the pre-pass
/// straight from the app's memory (rgba8_to_nchw, or rgba8_image_to_nchw reading the image in place; no copy).
/// A view; the inference owns what registration created.
/// </summary>
public readonly record struct Rgba8Source(int Index)
{
    public override string ToString() => $"rgba8 source {Index}";
}
