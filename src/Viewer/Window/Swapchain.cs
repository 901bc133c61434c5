using VkResNet.Runtime;
using VkResNet.Runtime.Native;

namespace VkResNet.Viewer.Window;

/// <summary>
/// A VkSwapchainKHR on the compute device's queue, with images the viewer fills by transfer
/// (vkCmdCopyBufferToImage from the rendered view) and one "copy done" semaphore per image.
/// Recreated whole when the surface is resized or reports out of date.
/// </summary>
public sealed unsafe class Swapchain : IDisposable
{
    readonly Device _device;
    readonly VkPresentApi _api;
    readonly VkSurfaceKHR _surface;

    public VkSwapchainKHR Handle { get; private set; }
    public VkImage[] Images { get; private set; } = [];
    public VkSemaphore[] RenderDone { get; private set; } = [];
    public VkFormat Format { get; private set; }
    public int Width { get; private set; }
    public int Height { get; private set; }
    /// <summary>True when the image bytes are B, G, R, A (the shader then swizzles).</summary>
    public bool Bgra => Format is VkFormat.B8G8R8A8Unorm or VkFormat.B8G8R8A8Srgb;

    public Swapchain(Device device, VkPresentApi api, VkSurfaceKHR surface)
    {
        _device = device;
        _api = api;
        _surface = surface;
        uint supported;
        Vk.Check(api.GetPhysicalDeviceSurfaceSupportKHR(device.PhysicalDevice, device.QueueFamily, surface, &supported), "vkGetPhysicalDeviceSurfaceSupportKHR");
        if (supported == 0) throw new VulkanUnavailableException($"{device.Info.Name}'s compute queue family cannot present to this window.");
    }

    /// <summary>(Re)creates the swapchain for a framebuffer of w x h; returns false when the surface has zero size (minimised).</summary>
    public bool Create(int width, int height)
    {
        VkSurfaceCapabilitiesKHR caps;
        Vk.Check(_api.GetPhysicalDeviceSurfaceCapabilitiesKHR(_device.PhysicalDevice, _surface, &caps), "vkGetPhysicalDeviceSurfaceCapabilitiesKHR");
        if ((caps.supportedUsageFlags & VkImageUsage.TransferDst) == 0)
            throw new VulkanUnavailableException("The window's swapchain images cannot be transfer destinations; the viewer copies its view into them.");
        uint w = caps.currentExtent.width != uint.MaxValue ? caps.currentExtent.width : (uint)Math.Clamp(width, (int)caps.minImageExtent.width, (int)caps.maxImageExtent.width);
        uint h = caps.currentExtent.height != uint.MaxValue ? caps.currentExtent.height : (uint)Math.Clamp(height, (int)caps.minImageExtent.height, (int)caps.maxImageExtent.height);
        if (w == 0 || h == 0) return false;

        var format = ChooseFormat();
        uint count = caps.minImageCount + 1;
        if (caps.maxImageCount > 0) count = Math.Min(count, caps.maxImageCount);
        var old = Handle;
        var info = new VkSwapchainCreateInfoKHR
        {
            sType = VkStructureType.SwapchainCreateInfoKhr, surface = _surface, minImageCount = count,
            imageFormat = format.format, imageColorSpace = format.colorSpace, imageExtent = new VkExtent2D { width = w, height = h },
            imageArrayLayers = 1, imageUsage = VkImageUsage.TransferDst, imageSharingMode = VkConst.SharingModeExclusive,
            preTransform = caps.currentTransform,
            compositeAlpha = (caps.supportedCompositeAlpha & VkSurfaceConst.CompositeAlphaOpaque) != 0 ? VkSurfaceConst.CompositeAlphaOpaque : VkSurfaceConst.CompositeAlphaInherit,
            presentMode = VkPresentModeKHR.Fifo, // always available; vsync'd presents never block the GPU's compute work
            clipped = 1, oldSwapchain = old,
        };
        VkSwapchainKHR sc;
        Vk.Check(_api.CreateSwapchainKHR(_device.Handle, &info, null, &sc), "vkCreateSwapchainKHR");
        DestroyImagesAndSemaphores();
        if (!old.IsNull) _api.DestroySwapchainKHR(_device.Handle, old, null);
        Handle = sc;
        Format = format.format;
        Width = (int)w;
        Height = (int)h;

        uint n = 0;
        Vk.Check(_api.GetSwapchainImagesKHR(_device.Handle, sc, &n, null), "vkGetSwapchainImagesKHR");
        var images = new VkImage[n];
        fixed (VkImage* p = images) Vk.CheckAllow(_api.GetSwapchainImagesKHR(_device.Handle, sc, &n, p), "vkGetSwapchainImagesKHR");
        Images = images;
        RenderDone = new VkSemaphore[n];
        for (int i = 0; i < n; i++) RenderDone[i] = CreateSemaphore(_device);
        return true;
    }

    VkSurfaceFormatKHR ChooseFormat()
    {
        uint n = 0;
        Vk.Check(_api.GetPhysicalDeviceSurfaceFormatsKHR(_device.PhysicalDevice, _surface, &n, null), "vkGetPhysicalDeviceSurfaceFormatsKHR");
        var formats = new VkSurfaceFormatKHR[n];
        fixed (VkSurfaceFormatKHR* p = formats) Vk.CheckAllow(_api.GetPhysicalDeviceSurfaceFormatsKHR(_device.PhysicalDevice, _surface, &n, p), "vkGetPhysicalDeviceSurfaceFormatsKHR");
        // The view is 8-bit sRGB-encoded bytes; a byte copy keeps them as they are in any of these.
        foreach (var want in (VkFormat[])[VkFormat.B8G8R8A8Unorm, VkFormat.R8G8B8A8Unorm, VkFormat.B8G8R8A8Srgb, (VkFormat)43])
            foreach (var f in formats)
                if (f.format == want && f.colorSpace == VkColorSpaceKHR.SrgbNonlinear) return f;
        throw new VulkanUnavailableException($"The window offers no 8-bit RGBA/BGRA format (offered: {string.Join(", ", formats.Select(f => (int)f.format))}).");
    }

    public static VkSemaphore CreateSemaphore(Device device)
    {
        var info = new VkSemaphoreCreateInfo { sType = VkStructureType.SemaphoreCreateInfo };
        VkSemaphore s;
        Vk.Check(device.Api.CreateSemaphore(device.Handle, &info, null, &s), "vkCreateSemaphore");
        return s;
    }

    /// <summary>Acquire: the image index, or null when the swapchain is out of date and must be recreated.</summary>
    public uint? Acquire(VkSemaphore imageReady)
    {
        uint index;
        VkResult r = _api.AcquireNextImageKHR(_device.Handle, Handle, ulong.MaxValue, imageReady, default, &index);
        if (r == VkResult.VK_ERROR_OUT_OF_DATE_KHR) return null;
        Vk.CheckAllow(r, "vkAcquireNextImageKHR"); // VK_SUBOPTIMAL_KHR still acquired an image
        return index;
    }

    /// <summary>Records: image -> transfer dst, copy the packed view buffer into it, image -> present.</summary>
    public void RecordCopy(CommandList cl, uint index, BufferSlice view)
    {
        var range = new VkImageSubresourceRange { aspectMask = VkImageConst.AspectColor, levelCount = 1, layerCount = 1 };
        var toDst = new VkImageMemoryBarrier
        {
            sType = VkStructureType.ImageMemoryBarrier, srcAccessMask = VkAccess.None, dstAccessMask = VkAccess.TransferWrite,
            oldLayout = VkImageLayout.Undefined, newLayout = VkImageLayout.TransferDstOptimal,
            srcQueueFamilyIndex = VkConst.QueueFamilyIgnored, dstQueueFamilyIndex = VkConst.QueueFamilyIgnored,
            image = Images[index], subresourceRange = range,
        };
        // Waits on the acquire semaphore at the transfer stage (the submit's wait mask covers it).
        _device.Api.CmdPipelineBarrier(cl.Handle, VkPipelineStage.Transfer, VkPipelineStage.Transfer, 0, 0, null, 0, null, 1, &toDst);
        var region = new VkBufferImageCopy
        {
            bufferOffset = (ulong)view.Offset,
            imageSubresource = new VkImageSubresourceLayers { aspectMask = VkImageConst.AspectColor, layerCount = 1 },
            imageExtent = new VkExtent3D { width = (uint)Width, height = (uint)Height, depth = 1 },
        };
        _api.CmdCopyBufferToImage(cl.Handle, view.Buffer.Handle, Images[index], VkImageLayout.TransferDstOptimal, 1, &region);
        var toPresent = toDst with
        {
            srcAccessMask = VkAccess.TransferWrite, dstAccessMask = VkAccess.None,
            oldLayout = VkImageLayout.TransferDstOptimal, newLayout = VkImageLayout.PresentSrcKhr,
        };
        _device.Api.CmdPipelineBarrier(cl.Handle, VkPipelineStage.Transfer, VkPipelineStage.BottomOfPipe, 0, 0, null, 0, null, 1, &toPresent);
    }

    /// <summary>Presents image <paramref name="index"/> once its copy is done; false when out of date or suboptimal.</summary>
    public bool Present(uint index)
    {
        var sc = Handle;
        var sem = RenderDone[index];
        var info = new VkPresentInfoKHR
        {
            sType = VkStructureType.PresentInfoKhr, waitSemaphoreCount = 1, pWaitSemaphores = &sem,
            swapchainCount = 1, pSwapchains = &sc, pImageIndices = &index,
        };
        VkResult r = _api.QueuePresentKHR(_device.Queue, &info);
        if (r is VkResult.VK_ERROR_OUT_OF_DATE_KHR or VkResult.VK_SUBOPTIMAL_KHR) return false;
        Vk.Check(r, "vkQueuePresentKHR");
        return true;
    }

    void DestroyImagesAndSemaphores()
    {
        foreach (var s in RenderDone) _device.Api.DestroySemaphore(_device.Handle, s, null);
        RenderDone = [];
        Images = [];
    }

    public void Dispose()
    {
        DestroyImagesAndSemaphores();
        if (!Handle.IsNull) _api.DestroySwapchainKHR(_device.Handle, Handle, null);
        Handle = default;
    }
}
