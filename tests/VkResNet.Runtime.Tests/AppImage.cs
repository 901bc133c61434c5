using VkResNet.Runtime.Native;

namespace VkResNet.Runtime.Tests;

/// <summary>
/// An image as an embedding app owns it, made through the raw binding: device-local, 2-D, one mip, filled from RGBA
/// pixels stored in the format's memory order (a B8G8R8A8 image holds B, G, R, A bytes), then moved to the layout the
/// app will state, with a barrier to compute-shader reads. Frees the image and its memory on dispose.
/// </summary>
public sealed unsafe class AppImage : IDisposable
{
    readonly Device _device;
    readonly VkDeviceMemory _memory;

    /// <summary>What the app tells VkResNet: handle, format, usage (TRANSFER_DST is always added, to fill it), extent.</summary>
    public ExternalImage Info { get; }
    public VkImageLayout Layout { get; }

    public AppImage(Device device, ReadOnlySpan<byte> rgba, int width, int height, VkFormat format, VkImageUsage usage, VkImageLayout layout)
    {
        if (rgba.Length != width * height * 4) throw new ArgumentException($"{rgba.Length} bytes for a {width}x{height} RGBA image.");
        _device = device;
        Layout = layout;
        usage |= VkImageUsage.TransferDstBit;
        var images = device.Api;
        var info = new VkImageCreateInfo
        {
            SType = VkStructureType.ImageCreateInfo, ImageType = VkImageType.Type2D, Format = format,
            Extent = new VkExtent3D { Width = (uint)width, Height = (uint)height, Depth = 1 }, MipLevels = 1, ArrayLayers = 1, Samples = VkSampleCountFlags.Count1Bit,
            Usage = usage, InitialLayout = VkImageLayout.Undefined,
        };
        VkImage image;
        Vk.Check(images.CreateImage(device.Handle, &info, null, &image), "vkCreateImage");
        Info = new ExternalImage(image, format, usage, width, height);
        VkMemoryRequirements req;
        images.GetImageMemoryRequirements(device.Handle, image, &req);
        VkPhysicalDeviceMemoryProperties mem;
        device.Context.Api.GetPhysicalDeviceMemoryProperties(device.PhysicalDevice, &mem);
        uint type = 0;
        while ((req.MemoryTypeBits & (1u << (int)type)) == 0 || (mem.MemoryTypes[(int)type].PropertyFlags & VkMemoryProperty.DeviceLocalBit) == 0) type++;
        var alloc = new VkMemoryAllocateInfo { SType = VkStructureType.MemoryAllocateInfo, AllocationSize = req.Size, MemoryTypeIndex = type };
        VkDeviceMemory memory;
        Vk.Check(device.Api.AllocateMemory(device.Handle, &alloc, null, &memory), "vkAllocateMemory");
        _memory = memory;
        Vk.Check(images.BindImageMemory(device.Handle, image, memory, 0), "vkBindImageMemory");

        using var staging = device.CreateBuffer(rgba.Length, MemoryKind.Upload, "app.Image-fill");
        var bytes = staging.MappedBytes;
        bool bgra = format is VkFormat.B8G8R8A8Unorm or VkFormat.B8G8R8A8Srgb;
        for (int p = 0; p < width * height; p++)
        {
            bytes[p * 4 + 0] = rgba[p * 4 + (bgra ? 2 : 0)];
            bytes[p * 4 + 1] = rgba[p * 4 + 1];
            bytes[p * 4 + 2] = rgba[p * 4 + (bgra ? 0 : 2)];
            bytes[p * 4 + 3] = rgba[p * 4 + 3];
        }
        using var cl = device.CreateCommandList();
        cl.Begin();
        Transition(cl, VkImageLayout.Undefined, VkImageLayout.TransferDstOptimal, 0, VkAccess.TransferWriteBit, VkPipelineStage.TopOfPipeBit, VkPipelineStage.TransferBit);
        var copy = new VkBufferImageCopy
        {
            ImageSubresource = new VkImageSubresourceLayers { AspectMask = VkImageAspectFlags.ColorBit, LayerCount = 1 },
            ImageExtent = new VkExtent3D { Width = (uint)width, Height = (uint)height, Depth = 1 },
        };
        images.CmdCopyBufferToImage(cl.Handle, staging.Handle, image, VkImageLayout.TransferDstOptimal, 1, &copy);
        Transition(cl, VkImageLayout.TransferDstOptimal, layout, VkAccess.TransferWriteBit, VkAccess.ShaderReadBit | VkAccess.TransferReadBit,
                   VkPipelineStage.TransferBit, VkPipelineStage.ComputeShaderBit | VkPipelineStage.TransferBit);
        cl.End();
        cl.Submit();
        cl.Wait();
    }

    void Transition(CommandList cl, VkImageLayout from, VkImageLayout to, VkAccess srcAccess, VkAccess dstAccess, VkPipelineStage src, VkPipelineStage dst)
    {
        var barrier = new VkImageMemoryBarrier
        {
            SType = VkStructureType.ImageMemoryBarrier, SrcAccessMask = srcAccess, DstAccessMask = dstAccess, OldLayout = from, NewLayout = to,
            SrcQueueFamilyIndex = ~0u, DstQueueFamilyIndex = ~0u, Image = Info.Handle,
            SubresourceRange = new VkImageSubresourceRange { AspectMask = VkImageAspectFlags.ColorBit, LevelCount = 1, LayerCount = 1 },
        };
        _device.Api.CmdPipelineBarrier(cl.Handle, src, dst, 0, 0, null, 0, null, 1, &barrier);
    }

    /// <summary>Seeded random RGBA bytes in which the first 256 pixels (as many as fit) hold every byte value in every channel.</summary>
    public static byte[] Pixels(int pixels, int seed)
    {
        var rgba = new byte[pixels * 4];
        new Random(seed).NextBytes(rgba);
        for (int p = 0; p < Math.Min(pixels, 256); p++) rgba.AsSpan(p * 4, 4).Fill((byte)p);
        return rgba;
    }

    public void Dispose()
    {
        _device.Api.DestroyImage(_device.Handle, Info.Handle, null);
        _device.Api.FreeMemory(_device.Handle, _memory, null);
    }
}
