using VkResNet.Graph.Embedding;
using VkResNet.Runtime;
using VkResNet.Runtime.Native;
using VkResNet.Runtime.Tests;
using Xunit;
using static VkResNet.Graph.Tests.Embedding.EmbeddingModels;

namespace VkResNet.Graph.Tests.Embedding;

/// <summary>
/// An app's VkImage as model input: the image (made here through the raw binding, as an app would) is copied on
/// the GPU and run through the same pre-pass as an RGBA8 buffer, so both paths give the same logits bit for bit.
/// </summary>
public unsafe class ImageSourceTests(GpuFixture gpu) : GpuTest(gpu)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ImageSource_MatchesTheBufferSource(int batch)
    {
        const int Size = 28;
        var (model, graph) = ResNet20(Device, batch);
        using var g = graph;
        var pixels = new byte[batch * Size * Size * 4];
        new Random(batch).NextBytes(pixels);
        using var buffer = Device.CreateBuffer(pixels.Length, MemoryKind.Upload, "app.pixels");
        pixels.CopyTo(buffer.MappedBytes);

        var (image, memory) = CreateImage(Size, Size * batch, buffer);
        try
        {
            using var inference = RealtimeInference.Create(graph, model.Input, model.Logits);
            var fromBuffer = inference.RegisterRgba8(buffer.Slice(0, pixels.Length));
            var fromImage = inference.RegisterRgba8Image(image, VkImageLayout.TransferSrcOptimal, Size, Size * batch);
            var a = inference.Submit(fromBuffer);
            a.Wait();
            var expected = a.Result.ToArray();
            var b = inference.Submit(fromImage);
            b.Wait();
            Assert.Null(FirstDifference(expected, b.Result));
            Assert.Throws<ArgumentException>(() => inference.RegisterRgba8Image(image, VkImageLayout.TransferSrcOptimal, Size, Size * batch + 1));
        }
        finally
        {
            Device.Images.DestroyImage(Device.Handle, image, null);
            Device.Api.FreeMemory(Device.Handle, memory, null);
        }
    }

    /// <summary>A device-local R8G8B8A8 image filled from <paramref name="pixels"/> and left in TRANSFER_SRC_OPTIMAL.</summary>
    (VkImage, VkDeviceMemory) CreateImage(int width, int height, Runtime.Buffer pixels)
    {
        var images = Device.Images;
        var info = new VkImageCreateInfo
        {
            sType = VkStructureType.ImageCreateInfo, imageType = 1, format = VkFormat.R8G8B8A8Unorm,
            extent = new VkExtent3D { width = (uint)width, height = (uint)height, depth = 1 }, mipLevels = 1, arrayLayers = 1, samples = 1,
            usage = VkImageUsage.TransferSrc | VkImageUsage.TransferDst, initialLayout = VkImageLayout.Undefined,
        };
        VkImage image;
        Vk.Check(images.CreateImage(Device.Handle, &info, null, &image), "vkCreateImage");
        VkMemoryRequirements req;
        images.GetImageMemoryRequirements(Device.Handle, image, &req);
        VkPhysicalDeviceMemoryProperties mem;
        Device.Context.Api.GetPhysicalDeviceMemoryProperties(Device.PhysicalDevice, &mem);
        uint type = 0;
        while ((req.memoryTypeBits & (1u << (int)type)) == 0 || (mem.MemoryType((int)type).propertyFlags & VkMemoryProperty.DeviceLocal) == 0) type++;
        var alloc = new VkMemoryAllocateInfo { sType = VkStructureType.MemoryAllocateInfo, allocationSize = req.size, memoryTypeIndex = type };
        VkDeviceMemory memory;
        Vk.Check(Device.Api.AllocateMemory(Device.Handle, &alloc, null, &memory), "vkAllocateMemory");
        Vk.Check(images.BindImageMemory(Device.Handle, image, memory, 0), "vkBindImageMemory");

        using var cl = Device.CreateCommandList();
        cl.Begin();
        Transition(cl, image, VkImageLayout.Undefined, VkImageLayout.TransferDstOptimal, 0, VkAccess.TransferWrite);
        var copy = new VkBufferImageCopy
        {
            imageSubresource = new VkImageSubresourceLayers { aspectMask = VkImageConst.AspectColor, layerCount = 1 },
            imageExtent = new VkExtent3D { width = (uint)width, height = (uint)height, depth = 1 },
        };
        images.CmdCopyBufferToImage(cl.Handle, pixels.Handle, image, VkImageLayout.TransferDstOptimal, 1, &copy);
        Transition(cl, image, VkImageLayout.TransferDstOptimal, VkImageLayout.TransferSrcOptimal, VkAccess.TransferWrite, VkAccess.TransferRead);
        cl.End();
        cl.Submit();
        cl.Wait();
        return (image, memory);
    }

    void Transition(CommandList cl, VkImage image, VkImageLayout from, VkImageLayout to, VkAccess srcAccess, VkAccess dstAccess)
    {
        var barrier = new VkImageMemoryBarrier
        {
            sType = VkStructureType.ImageMemoryBarrier, srcAccessMask = srcAccess, dstAccessMask = dstAccess, oldLayout = from, newLayout = to,
            srcQueueFamilyIndex = ~0u, dstQueueFamilyIndex = ~0u, image = image,
            subresourceRange = new VkImageSubresourceRange { aspectMask = VkImageConst.AspectColor, levelCount = 1, layerCount = 1 },
        };
        Device.Api.CmdPipelineBarrier(cl.Handle, VkPipelineStage.Transfer | VkPipelineStage.TopOfPipe, VkPipelineStage.Transfer, 0, 0, null, 0, null, 1, &barrier);
    }
}
