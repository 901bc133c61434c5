using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>
/// A 2-D view (mip 0, layer 0, identity swizzle) of an image the app owns, for a kernel to read through a
/// sampled-image or storage-image binding. Owns the VkImageView, never the image; the app keeps the image alive,
/// and in <see cref="Layout"/> whenever a dispatch that binds this view runs (VkResNet never transitions it).
/// </summary>
public sealed unsafe class ImageView : IDisposable
{
    readonly Device _device;
    bool _disposed;

    public VkImageView Handle { get; }
    public ExternalImage Image { get; }
    /// <summary>The layout the image is in whenever it is read through this view; written into its descriptors.</summary>
    public VkImageLayout Layout { get; }
    public string Name { get; }

    ImageView(Device device, in ExternalImage image, VkImageLayout layout, string? name)
    {
        if (image.Handle.IsNull) throw new ArgumentException("The image handle is null.", nameof(image));
        if (image.Width <= 0 || image.Height <= 0) throw new ArgumentException($"{image}: the extent must be positive.", nameof(image));
        // A view needs a usage it can serve; without one vkCreateImageView itself is invalid.
        if ((image.Usage & (VkImageUsage.SampledBit | VkImageUsage.StorageBit)) == 0)
            throw new ArgumentException($"{image}: a kernel reads an image through SAMPLED or STORAGE usage; the image was created with neither.", nameof(image));
        if (layout is not (VkImageLayout.ShaderReadOnlyOptimal or VkImageLayout.General))
            throw new ArgumentException($"{image}: a kernel reads an image in SHADER_READ_ONLY_OPTIMAL or GENERAL layout, not {layout}.", nameof(layout));
        _device = device;
        Image = image;
        Layout = layout;
        Name = name ?? "external image";
        var info = new VkImageViewCreateInfo
        {
            SType = VkStructureType.ImageViewCreateInfo, Image = image.Handle, ViewType = VkImageViewType.Type2D, Format = image.Format,
            SubresourceRange = new VkImageSubresourceRange { AspectMask = VkImageAspectFlags.ColorBit, LevelCount = 1, LayerCount = 1 },
        };
        VkImageView view;
        Vk.Check(device.Api.CreateImageView(device.Handle, &info, null, &view), "vkCreateImageView");
        Handle = view;
    }

    /// <summary>Makes a view of an app's image; <paramref name="layout"/> is the layout it will be in when read.</summary>
    public static ImageView FromExternal(Device device, in ExternalImage image, VkImageLayout layout, string? name = null) => new(device, image, layout, name);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _device.Api.DestroyImageView(_device.Handle, Handle, null);
    }
}
