namespace VkResNet.Runtime.Native;

// The image subset the viewer needs to hand a rendered view to a swapchain image: layouts,
// layout-transition barriers and buffer-to-image copies. Numbers from the Vulkan registry (vk.xml).

public readonly record struct VkImage(ulong Handle) { public bool IsNull => Handle == 0; }

public enum VkImageLayout
{
    Undefined = 0,
    General = 1,
    TransferSrcOptimal = 6,
    TransferDstOptimal = 7,
    PresentSrcKhr = 1000001002,
}

[Flags]
public enum VkImageUsage : uint { TransferSrc = 0x1, TransferDst = 0x2, Storage = 0x8, ColorAttachment = 0x10 }

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

public struct VkBufferImageCopy
{
    public ulong bufferOffset;
    public uint bufferRowLength, bufferImageHeight;
    public VkImageSubresourceLayers imageSubresource;
    public VkOffset3D imageOffset;
    public VkExtent3D imageExtent;
}
