namespace VkResNet.Runtime;

/// <summary>
/// What one binding of a <see cref="BindingSet"/> points at: a buffer slice (storage or texel buffer binding) or an
/// image view (sampled or storage image binding). Converts implicitly from both; a non-owning view.
/// </summary>
public readonly struct BindingResource
{
    public BufferSlice Buffer { get; }
    public ImageView? Image { get; }
    public bool IsImage => Image != null;

    BindingResource(BufferSlice buffer, ImageView? image)
    {
        Buffer = buffer;
        Image = image;
    }

    public static implicit operator BindingResource(BufferSlice slice) => new(slice, null);
    public static implicit operator BindingResource(ImageView view) => new(default, view ?? throw new ArgumentNullException(nameof(view)));

    internal static BindingResource[] From(ReadOnlySpan<BufferSlice> slices)
    {
        var r = new BindingResource[slices.Length];
        for (int i = 0; i < slices.Length; i++) r[i] = slices[i];
        return r;
    }

    public override string ToString() => Image is { } v ? v.Image.ToString() : Buffer.ToString();
}
