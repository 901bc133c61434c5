using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;

namespace VkResNet.Runtime.Tests;

/// <summary>
/// The structs VkResNet passes through its own function pointers (VK_EXT_debug_utils, VK_KHR_surface and
/// VK_KHR_swapchain, resolved by hand because Silk's extension packages are not served) are Silk.NET's; these
/// are their sizes and field offsets in vulkan_core.h on 64-bit targets, where a wrong layout would corrupt the
/// driver's reads silently. The handles must be exactly the C handle: pointer-sized or 64-bit, one field.
/// </summary>
public class NativeLayoutTests
{
    public static TheoryData<Type, int> Sizes => new()
    {
        { typeof(VkDebugUtilsMessengerCreateInfoEXT), 48 },
        { typeof(VkDebugUtilsMessengerCallbackDataEXT), 96 },
        { typeof(VkSurfaceCapabilitiesKHR), 52 },
        { typeof(VkSurfaceFormatKHR), 8 },
        { typeof(VkSwapchainCreateInfoKHR), 104 },
        { typeof(VkPresentInfoKHR), 64 },
        { typeof(VkInstance), 8 },
        { typeof(VkPhysicalDevice), 8 },
        { typeof(VkDevice), 8 },
        { typeof(VkQueue), 8 },
        { typeof(VkCommandBuffer), 8 },
        { typeof(VkSurfaceKHR), 8 },
        { typeof(VkSwapchainKHR), 8 },
        { typeof(VkImage), 8 },
        { typeof(VkSemaphore), 8 },
        { typeof(VkFence), 8 },
        { typeof(VkDebugUtilsMessengerEXT), 8 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Struct_size_matches_vulkan_core_h(Type type, int bytes)
    {
        Assert.Equal(8, IntPtr.Size); // the figures below are the 64-bit ABI's
        Assert.Equal(bytes, Marshal.SizeOf(type));
        Assert.Equal(bytes, (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type).Invoke(null, null)!);
    }

    public static TheoryData<Type, string, int> Offsets => new()
    {
        { typeof(VkDebugUtilsMessengerCreateInfoEXT), nameof(VkDebugUtilsMessengerCreateInfoEXT.MessageSeverity), 20 },
        { typeof(VkDebugUtilsMessengerCreateInfoEXT), nameof(VkDebugUtilsMessengerCreateInfoEXT.PfnUserCallback), 32 },
        { typeof(VkDebugUtilsMessengerCallbackDataEXT), nameof(VkDebugUtilsMessengerCallbackDataEXT.PMessageIdName), 24 },
        { typeof(VkDebugUtilsMessengerCallbackDataEXT), nameof(VkDebugUtilsMessengerCallbackDataEXT.PMessage), 40 },
        { typeof(VkSurfaceCapabilitiesKHR), nameof(VkSurfaceCapabilitiesKHR.CurrentExtent), 8 },
        { typeof(VkSurfaceCapabilitiesKHR), nameof(VkSurfaceCapabilitiesKHR.SupportedUsageFlags), 48 },
        { typeof(VkSwapchainCreateInfoKHR), nameof(VkSwapchainCreateInfoKHR.Surface), 24 },
        { typeof(VkSwapchainCreateInfoKHR), nameof(VkSwapchainCreateInfoKHR.ImageExtent), 44 },
        { typeof(VkSwapchainCreateInfoKHR), nameof(VkSwapchainCreateInfoKHR.PQueueFamilyIndices), 72 },
        { typeof(VkSwapchainCreateInfoKHR), nameof(VkSwapchainCreateInfoKHR.PresentMode), 88 },
        { typeof(VkSwapchainCreateInfoKHR), nameof(VkSwapchainCreateInfoKHR.OldSwapchain), 96 },
        { typeof(VkPresentInfoKHR), nameof(VkPresentInfoKHR.PSwapchains), 40 },
        { typeof(VkPresentInfoKHR), nameof(VkPresentInfoKHR.PResults), 56 },
    };

    [Theory]
    [MemberData(nameof(Offsets))]
    public void Field_offset_matches_vulkan_core_h(Type type, string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf(type, field));
}
