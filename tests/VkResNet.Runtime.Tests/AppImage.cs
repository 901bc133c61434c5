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
        usage |= VkImageUsage.TransferDst;
        var images = device.Images;
        var info = new VkImageCreateInfo
        {
            sType = VkStructureType.ImageCreateInfo, imageType = 1, format = format,
            extent = new VkExtent3D { width = (uint)width, height = (uint)height, depth = 1 }, mipLevels = 1, arrayLayers = 1, samples = 1,
            usage = usage, initialLayout = VkImageLayout.Undefined,
        };
        VkImage image;
        Vk.Check(images.CreateImage(device.Handle, &info, null, &image), "vkCreateImage");
        Info = new ExternalImage(image, format, usage, width, height);
        VkMemoryRequirements req;
        images.GetImageMemoryRequirements(device.Handle, image, &req);
        VkPhysicalDeviceMemoryProperties mem;
        device.Context.Api.GetPhysicalDeviceMemoryProperties(device.PhysicalDevice, &mem);
        uint type = 0;
        while ((req.memoryTypeBits & (1u << (int)type)) == 0 || (mem.MemoryType((int)type).propertyFlags & VkMemoryProperty.DeviceLocal) == 0) type++;
        var alloc = new VkMemoryAllocateInfo { sType = VkStructureType.MemoryAllocateInfo, allocationSize = req.size, memoryTypeIndex = type };
        VkDeviceMemory memory;
        Vk.Check(device.Api.AllocateMemory(device.Handle, &alloc, null, &memory), "vkAllocateMemory");
        _memory = memory;
        Vk.Check(images.BindImageMemory(device.Handle, image, memory, 0), "vkBindImageMemory");

        using var staging = device.CreateBuffer(rgba.Length, MemoryKind.Upload, "app.image-fill");
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
        Transition(cl, VkImageLayout.Undefined, VkImageLayout.TransferDstOptimal, 0, VkAccess.TransferWrite, VkPipelineStage.TopOfPipe, VkPipelineStage.Transfer);
        var copy = new VkBufferImageCopy
        {
            imageSubresource = new VkImageSubresourceLayers { aspectMask = VkImageConst.AspectColor, layerCount = 1 },
            imageExtent = new VkExtent3D { width = (uint)width, height = (uint)height, depth = 1 },
        };
        images.CmdCopyBufferToImage(cl.Handle, staging.Handle, image, VkImageLayout.TransferDstOptimal, 1, &copy);
        Transition(cl, VkImageLayout.TransferDstOptimal, layout, VkAccess.TransferWrite, VkAccess.ShaderRead | VkAccess.TransferRead,
                   VkPipelineStage.Transfer, VkPipelineStage.ComputeShader | VkPipelineStage.Transfer);
        cl.End();
        cl.Submit();
        cl.Wait();
    }

    void Transition(CommandList cl, VkImageLayout from, VkImageLayout to, VkAccess srcAccess, VkAccess dstAccess, VkPipelineStage src, VkPipelineStage dst)
    {
        var barrier = new VkImageMemoryBarrier
        {
            sType = VkStructureType.ImageMemoryBarrier, srcAccessMask = srcAccess, dstAccessMask = dstAccess, oldLayout = from, newLayout = to,
            srcQueueFamilyIndex = ~0u, dstQueueFamilyIndex = ~0u, image = Info.Handle,
            subresourceRange = new VkImageSubresourceRange { aspectMask = VkImageConst.AspectColor, levelCount = 1, layerCount = 1 },
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
        _device.Images.DestroyImage(_device.Handle, Info.Handle, null);
        _device.Api.FreeMemory(_device.Handle, _memory, null);
    }
}
