namespace VkResNet.Runtime.Native;

// VK_KHR_surface and VK_KHR_swapchain: the entry points a window needs to present, typed with Silk.NET's
// structs and handles. Silk.NET declares these in Silk.NET.Vulkan.Extensions.KHR, a package the registry
// here does not serve, so they are resolved with Silk's GetInstanceProcAddr/GetDeviceProcAddr and called
// through function pointers. Resolved on their own so that compute-only code never loads them.

/// <summary>Surface queries (instance level) and swapchain and present entry points (device level).</summary>
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

    public VkPresentApi(VkApi api, VkInstance instance, VkDevice device)
    {
        nint Inst(string name) => (nint)api.GetInstanceProcAddr(instance, name).Handle is var p && p != 0 ? p
            : throw new VulkanUnavailableException($"The Vulkan loader does not provide {name} (enable VK_KHR_surface).");
        nint Dev(string name) => (nint)api.GetDeviceProcAddr(device, name).Handle is var p && p != 0 ? p
            : throw new VulkanUnavailableException($"The Vulkan driver does not provide {name} (enable VK_KHR_swapchain).");
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
    }
}
