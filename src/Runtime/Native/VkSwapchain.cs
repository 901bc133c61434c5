using System.Text;

namespace VkResNet.Runtime.Native;

// VK_KHR_surface and VK_KHR_swapchain: the structs, enums and entry points a window needs to
// present. Resolved on their own (like VkDeviceApi) so that compute-only code never loads them.

public readonly record struct VkSurfaceKHR(ulong Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkSwapchainKHR(ulong Handle) { public bool IsNull => Handle == 0; }

public enum VkPresentModeKHR { Immediate = 0, Mailbox = 1, Fifo = 2, FifoRelaxed = 3 }
public enum VkColorSpaceKHR { SrgbNonlinear = 0 }

public static class VkSurfaceConst
{
    public const uint CompositeAlphaOpaque = 0x1;
    public const uint CompositeAlphaInherit = 0x8;
    public const uint TransformIdentity = 0x1;
}

public struct VkSurfaceCapabilitiesKHR
{
    public uint minImageCount, maxImageCount;
    public VkExtent2D currentExtent, minImageExtent, maxImageExtent;
    public uint maxImageArrayLayers;
    public uint supportedTransforms, currentTransform, supportedCompositeAlpha;
    public VkImageUsage supportedUsageFlags;
}

public struct VkSurfaceFormatKHR { public VkFormat format; public VkColorSpaceKHR colorSpace; }

public unsafe struct VkSwapchainCreateInfoKHR
{
    public VkStructureType sType; public void* pNext; public uint flags;
    public VkSurfaceKHR surface;
    public uint minImageCount;
    public VkFormat imageFormat;
    public VkColorSpaceKHR imageColorSpace;
    public VkExtent2D imageExtent;
    public uint imageArrayLayers;
    public VkImageUsage imageUsage;
    public int imageSharingMode;
    public uint queueFamilyIndexCount; public uint* pQueueFamilyIndices;
    public uint preTransform, compositeAlpha;
    public VkPresentModeKHR presentMode;
    public uint clipped;
    public VkSwapchainKHR oldSwapchain;
}

public unsafe struct VkPresentInfoKHR
{
    public VkStructureType sType; public void* pNext;
    public uint waitSemaphoreCount; public VkSemaphore* pWaitSemaphores;
    public uint swapchainCount; public VkSwapchainKHR* pSwapchains; public uint* pImageIndices;
    public VkResult* pResults;
}

/// <summary>Surface queries (instance level) and swapchain, present and image-copy entry points (device level).</summary>
public sealed unsafe class VkPresentApi
{
    public readonly delegate* unmanaged<VkInstance, VkSurfaceKHR, void*, void> DestroySurfaceKHR;
    public readonly delegate* unmanaged<VkPhysicalDevice, uint, VkSurfaceKHR, uint*, VkResult> GetPhysicalDeviceSurfaceSupportKHR;
    public readonly delegate* unmanaged<VkPhysicalDevice, VkSurfaceKHR, VkSurfaceCapabilitiesKHR*, VkResult> GetPhysicalDeviceSurfaceCapabilitiesKHR;
    public readonly delegate* unmanaged<VkPhysicalDevice, VkSurfaceKHR, uint*, VkSurfaceFormatKHR*, VkResult> GetPhysicalDeviceSurfaceFormatsKHR;
    public readonly delegate* unmanaged<VkPhysicalDevice, VkSurfaceKHR, uint*, VkPresentModeKHR*, VkResult> GetPhysicalDeviceSurfacePresentModesKHR;
    public readonly delegate* unmanaged<VkDevice, VkSwapchainCreateInfoKHR*, void*, VkSwapchainKHR*, VkResult> CreateSwapchainKHR;
    public readonly delegate* unmanaged<VkDevice, VkSwapchainKHR, void*, void> DestroySwapchainKHR;
    public readonly delegate* unmanaged<VkDevice, VkSwapchainKHR, uint*, VkImage*, VkResult> GetSwapchainImagesKHR;
    public readonly delegate* unmanaged<VkDevice, VkSwapchainKHR, ulong, VkSemaphore, VkFence, uint*, VkResult> AcquireNextImageKHR;
    public readonly delegate* unmanaged<VkQueue, VkPresentInfoKHR*, VkResult> QueuePresentKHR;
    public readonly delegate* unmanaged<VkCommandBuffer, VkBuffer, VkImage, VkImageLayout, uint, VkBufferImageCopy*, void> CmdCopyBufferToImage;

    public VkPresentApi(VkInstanceApi instance, VkDevice device)
    {
        nint Inst(string name) => VkLoader.Resolve(instance.Instance, name) is var p && p != 0 ? p
            : throw new VulkanUnavailableException($"The Vulkan loader does not provide {name} (enable VK_KHR_surface).");
        nint Dev(string name)
        {
            byte[] bytes = Encoding.ASCII.GetBytes(name + "\0");
            nint p;
            fixed (byte* n = bytes) p = instance.GetDeviceProcAddr(device, n);
            return p != 0 ? p : throw new VulkanUnavailableException($"The Vulkan driver does not provide {name} (enable VK_KHR_swapchain).");
        }
        DestroySurfaceKHR = (delegate* unmanaged<VkInstance, VkSurfaceKHR, void*, void>)Inst("vkDestroySurfaceKHR");
        GetPhysicalDeviceSurfaceSupportKHR = (delegate* unmanaged<VkPhysicalDevice, uint, VkSurfaceKHR, uint*, VkResult>)Inst("vkGetPhysicalDeviceSurfaceSupportKHR");
        GetPhysicalDeviceSurfaceCapabilitiesKHR = (delegate* unmanaged<VkPhysicalDevice, VkSurfaceKHR, VkSurfaceCapabilitiesKHR*, VkResult>)Inst("vkGetPhysicalDeviceSurfaceCapabilitiesKHR");
        GetPhysicalDeviceSurfaceFormatsKHR = (delegate* unmanaged<VkPhysicalDevice, VkSurfaceKHR, uint*, VkSurfaceFormatKHR*, VkResult>)Inst("vkGetPhysicalDeviceSurfaceFormatsKHR");
        GetPhysicalDeviceSurfacePresentModesKHR = (delegate* unmanaged<VkPhysicalDevice, VkSurfaceKHR, uint*, VkPresentModeKHR*, VkResult>)Inst("vkGetPhysicalDeviceSurfacePresentModesKHR");
        CreateSwapchainKHR = (delegate* unmanaged<VkDevice, VkSwapchainCreateInfoKHR*, void*, VkSwapchainKHR*, VkResult>)Dev("vkCreateSwapchainKHR");
        DestroySwapchainKHR = (delegate* unmanaged<VkDevice, VkSwapchainKHR, void*, void>)Dev("vkDestroySwapchainKHR");
        GetSwapchainImagesKHR = (delegate* unmanaged<VkDevice, VkSwapchainKHR, uint*, VkImage*, VkResult>)Dev("vkGetSwapchainImagesKHR");
        AcquireNextImageKHR = (delegate* unmanaged<VkDevice, VkSwapchainKHR, ulong, VkSemaphore, VkFence, uint*, VkResult>)Dev("vkAcquireNextImageKHR");
        QueuePresentKHR = (delegate* unmanaged<VkQueue, VkPresentInfoKHR*, VkResult>)Dev("vkQueuePresentKHR");
        CmdCopyBufferToImage = (delegate* unmanaged<VkCommandBuffer, VkBuffer, VkImage, VkImageLayout, uint, VkBufferImageCopy*, void>)Dev("vkCmdCopyBufferToImage");
    }
}
