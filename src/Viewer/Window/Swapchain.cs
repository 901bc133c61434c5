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
        if ((caps.SupportedUsageFlags & VkImageUsage.TransferDstBit) == 0)
            throw new VulkanUnavailableException("The window's swapchain images cannot be transfer destinations; the viewer copies its view into them.");
        uint w = caps.CurrentExtent.Width != uint.MaxValue ? caps.CurrentExtent.Width : (uint)Math.Clamp(width, (int)caps.MinImageExtent.Width, (int)caps.MaxImageExtent.Width);
        uint h = caps.CurrentExtent.Height != uint.MaxValue ? caps.CurrentExtent.Height : (uint)Math.Clamp(height, (int)caps.MinImageExtent.Height, (int)caps.MaxImageExtent.Height);
        if (w == 0 || h == 0) return false;

        var format = ChooseFormat();
        uint count = caps.MinImageCount + 1;
        if (caps.MaxImageCount > 0) count = Math.Min(count, caps.MaxImageCount);
        var old = Handle;
        var info = new VkSwapchainCreateInfoKHR
        {
            SType = VkStructureType.SwapchainCreateInfoKhr, Surface = _surface, MinImageCount = count,
            ImageFormat = format.Format, ImageColorSpace = format.ColorSpace, ImageExtent = new VkExtent2D { Width = w, Height = h },
            ImageArrayLayers = 1, ImageUsage = VkImageUsage.TransferDstBit, ImageSharingMode = VkSharingMode.Exclusive,
            PreTransform = caps.CurrentTransform,
            CompositeAlpha = (caps.SupportedCompositeAlpha & VkCompositeAlphaFlagsKHR.OpaqueBitKhr) != 0 ? VkCompositeAlphaFlagsKHR.OpaqueBitKhr : VkCompositeAlphaFlagsKHR.InheritBitKhr,
            PresentMode = VkPresentModeKHR.FifoKhr, // always available; vsync'd presents never block the GPU's compute work
            Clipped = true, OldSwapchain = old,
        };
        VkSwapchainKHR sc;
        Vk.Check(_api.CreateSwapchainKHR(_device.Handle, &info, null, &sc), "vkCreateSwapchainKHR");
        DestroyImagesAndSemaphores();
        if (!old.IsNull) _api.DestroySwapchainKHR(_device.Handle, old, null);
        Handle = sc;
        Format = format.Format;
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
                if (f.Format == want && f.ColorSpace == VkColorSpaceKHR.SpaceSrgbNonlinearKhr) return f;
        throw new VulkanUnavailableException($"The window offers no 8-bit RGBA/BGRA format (offered: {string.Join(", ", formats.Select(f => (int)f.Format))}).");
    }

    public static VkSemaphore CreateSemaphore(Device device)
    {
        var info = new VkSemaphoreCreateInfo { SType = VkStructureType.SemaphoreCreateInfo };
        VkSemaphore s;
        Vk.Check(device.Api.CreateSemaphore(device.Handle, &info, null, &s), "vkCreateSemaphore");
        return s;
    }

    /// <summary>Acquire: the image index, or null when the swapchain is out of date and must be recreated.</summary>
    public uint? Acquire(VkSemaphore imageReady)
    {
        uint index;
        VkResult r = _api.AcquireNextImageKHR(_device.Handle, Handle, ulong.MaxValue, imageReady, default, &index);
        if (r == VkResult.ErrorOutOfDateKhr) return null;
        Vk.CheckAllow(r, "vkAcquireNextImageKHR"); // VK_SUBOPTIMAL_KHR still acquired an image
        return index;
    }

    /// <summary>Records: image -> transfer dst, copy the packed view buffer into it, image -> present.</summary>
    public void RecordCopy(CommandList cl, uint index, BufferSlice view)
    {
        var range = new VkImageSubresourceRange { AspectMask = VkImageAspectFlags.ColorBit, LevelCount = 1, LayerCount = 1 };
        var toDst = new VkImageMemoryBarrier
        {
            SType = VkStructureType.ImageMemoryBarrier, SrcAccessMask = VkAccess.None, DstAccessMask = VkAccess.TransferWriteBit,
            OldLayout = VkImageLayout.Undefined, NewLayout = VkImageLayout.TransferDstOptimal,
            SrcQueueFamilyIndex = VkApi.QueueFamilyIgnored, DstQueueFamilyIndex = VkApi.QueueFamilyIgnored,
            Image = Images[index], SubresourceRange = range,
        };
        // Waits on the acquire semaphore at the transfer stage (the submit's wait mask covers it).
        _device.Api.CmdPipelineBarrier(cl.Handle, VkPipelineStage.TransferBit, VkPipelineStage.TransferBit, 0, 0, null, 0, null, 1, &toDst);
        var region = new VkBufferImageCopy
        {
            BufferOffset = (ulong)view.Offset,
            ImageSubresource = new VkImageSubresourceLayers { AspectMask = VkImageAspectFlags.ColorBit, LayerCount = 1 },
            ImageExtent = new VkExtent3D { Width = (uint)Width, Height = (uint)Height, Depth = 1 },
        };
        _device.Api.CmdCopyBufferToImage(cl.Handle, view.Buffer.Handle, Images[index], VkImageLayout.TransferDstOptimal, 1, &region);
        var toPresent = toDst with
        {
            SrcAccessMask = VkAccess.TransferWriteBit, DstAccessMask = VkAccess.None,
            OldLayout = VkImageLayout.TransferDstOptimal, NewLayout = VkImageLayout.PresentSrcKhr,
        };
        _device.Api.CmdPipelineBarrier(cl.Handle, VkPipelineStage.TransferBit, VkPipelineStage.BottomOfPipeBit, 0, 0, null, 0, null, 1, &toPresent);
    }

    /// <summary>Presents image <paramref name="index"/> once its copy is done; false when out of date or suboptimal.</summary>
    public bool Present(uint index)
    {
        var sc = Handle;
        var sem = RenderDone[index];
        var info = new VkPresentInfoKHR
        {
            SType = VkStructureType.PresentInfoKhr, WaitSemaphoreCount = 1, PWaitSemaphores = &sem,
            SwapchainCount = 1, PSwapchains = &sc, PImageIndices = &index,
        };
        VkResult r = _api.QueuePresentKHR(_device.Queue, &info);
        if (r is VkResult.ErrorOutOfDateKhr or VkResult.SuboptimalKhr) return false;
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
