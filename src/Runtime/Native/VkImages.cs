namespace VkResNet.Runtime.Native;

// The image subset VkResNet needs: the viewer hands a rendered view to a swapchain image (layouts,
// layout-transition barriers, buffer-to-image copies), and an embedding app's image is read as model input
// through a sampled-image view (image views, image descriptors). Numbers from the Vulkan registry (vk.xml).

public readonly record struct VkImage(ulong Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkImageView(ulong Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkSampler(ulong Handle) { public bool IsNull => Handle == 0; }

public enum VkImageLayout
{
    Undefined = 0,
    General = 1,
    ShaderReadOnlyOptimal = 5,
    TransferSrcOptimal = 6,
    TransferDstOptimal = 7,
    PresentSrcKhr = 1000001002,
}

[Flags]
public enum VkImageUsage : uint { TransferSrc = 0x1, TransferDst = 0x2, Sampled = 0x4, Storage = 0x8, ColorAttachment = 0x10 }

public static class VkImageConst
{
    public const uint AspectColor = 0x1;
}

public struct VkOffset3D { public int x, y, z; }
public struct VkExtent3D { public uint width, height, depth; }
public struct VkExtent2D { public uint width, height; }

public struct VkImageSubresourceRange { public uint aspectMask, baseMipLevel, levelCount, baseArrayLayer, layerCount; }
public struct VkImageSubresourceLayers { public uint aspectMask, mipLevel, baseArrayLayer, layerCount; }

public unsafe struct VkImageMemoryBarrier
{
    public VkStructureType sType; public void* pNext;
    public VkAccess srcAccessMask, dstAccessMask;
    public VkImageLayout oldLayout, newLayout;
    public uint srcQueueFamilyIndex, dstQueueFamilyIndex;
    public VkImage image;
    public VkImageSubresourceRange subresourceRange;
}

/// <summary>VK_COMPONENT_SWIZZLE_IDENTITY (0) in every field keeps the format's own component order.</summary>
public struct VkComponentMapping { public int r, g, b, a; }

public unsafe struct VkImageViewCreateInfo
{
    public VkStructureType sType; public void* pNext; public uint flags;
    public VkImage image;
    public int viewType;                  // VK_IMAGE_VIEW_TYPE_2D = 1
    public VkFormat format;
    public VkComponentMapping components;
    public VkImageSubresourceRange subresourceRange;
}

/// <summary>An image descriptor; <see cref="sampler"/> stays null for sampled and storage images (texelFetch/imageLoad need none).</summary>
public struct VkDescriptorImageInfo
{
    public VkSampler sampler;
    public VkImageView imageView;
    public VkImageLayout imageLayout;
}

public struct VkBufferImageCopy
{
    public ulong bufferOffset;
    public uint bufferRowLength, bufferImageHeight;
    public VkImageSubresourceLayers imageSubresource;
    public VkOffset3D imageOffset;
    public VkExtent3D imageExtent;
}

public unsafe struct VkImageCreateInfo
{
    public VkStructureType sType; public void* pNext; public uint flags;
    public int imageType;                 // VK_IMAGE_TYPE_2D = 1
    public VkFormat format;
    public VkExtent3D extent;
    public uint mipLevels, arrayLayers;
    public uint samples;                  // VK_SAMPLE_COUNT_1_BIT = 1
    public int tiling;                    // VK_IMAGE_TILING_OPTIMAL = 0
    public VkImageUsage usage;
    public int sharingMode;
    public uint queueFamilyIndexCount; public uint* pQueueFamilyIndices;
    public VkImageLayout initialLayout;
}

/// <summary>
/// Image entry points, resolved on their own (like <see cref="VkPresentApi"/>): creating images (tests and
/// samples that stand in for an app), views of an app's image (model input read by a kernel) and buffer-to-image
/// copies.
/// </summary>
public sealed unsafe class VkImageApi
{
    public readonly delegate* unmanaged<VkDevice, VkImageCreateInfo*, void*, VkImage*, VkResult> CreateImage;
    public readonly delegate* unmanaged<VkDevice, VkImage, void*, void> DestroyImage;
    public readonly delegate* unmanaged<VkDevice, VkImage, VkMemoryRequirements*, void> GetImageMemoryRequirements;
    public readonly delegate* unmanaged<VkDevice, VkImage, VkDeviceMemory, ulong, VkResult> BindImageMemory;
    public readonly delegate* unmanaged<VkDevice, VkImageViewCreateInfo*, void*, VkImageView*, VkResult> CreateImageView;
    public readonly delegate* unmanaged<VkDevice, VkImageView, void*, void> DestroyImageView;
    public readonly delegate* unmanaged<VkCommandBuffer, VkBuffer, VkImage, VkImageLayout, uint, VkBufferImageCopy*, void> CmdCopyBufferToImage;

    public VkImageApi(VkInstanceApi instance, VkDevice device)
    {
        nint Get(string name)
        {
            byte[] bytes = System.Text.Encoding.ASCII.GetBytes(name + "\0");
            nint p;
            fixed (byte* n = bytes) p = instance.GetDeviceProcAddr(device, n);
            return p != 0 ? p : throw new VulkanUnavailableException($"The Vulkan driver does not provide {name}.");
        }
        CreateImage = (delegate* unmanaged<VkDevice, VkImageCreateInfo*, void*, VkImage*, VkResult>)Get("vkCreateImage");
        DestroyImage = (delegate* unmanaged<VkDevice, VkImage, void*, void>)Get("vkDestroyImage");
        GetImageMemoryRequirements = (delegate* unmanaged<VkDevice, VkImage, VkMemoryRequirements*, void>)Get("vkGetImageMemoryRequirements");
        BindImageMemory = (delegate* unmanaged<VkDevice, VkImage, VkDeviceMemory, ulong, VkResult>)Get("vkBindImageMemory");
        CreateImageView = (delegate* unmanaged<VkDevice, VkImageViewCreateInfo*, void*, VkImageView*, VkResult>)Get("vkCreateImageView");
        DestroyImageView = (delegate* unmanaged<VkDevice, VkImageView, void*, void>)Get("vkDestroyImageView");
        CmdCopyBufferToImage = (delegate* unmanaged<VkCommandBuffer, VkBuffer, VkImage, VkImageLayout, uint, VkBufferImageCopy*, void>)Get("vkCmdCopyBufferToImage");
    }
}
