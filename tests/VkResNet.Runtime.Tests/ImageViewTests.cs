using System.Runtime.InteropServices;
using VkResNet.Runtime.Native;
using Xunit;

namespace VkResNet.Runtime.Tests;

[StructLayout(LayoutKind.Sequential)] public struct ImageFetchPush { public uint Width; public uint Height; }

/// <summary>
/// Views of an app's image bound as sampled images: reflection sees the binding kind, the kernel reads the texels in the
/// layout the app states (R first whatever the memory order), and what Vulkan would reject is refused with a clear error.
/// </summary>
public sealed class ImageViewTests(GpuFixture gpu) : GpuTest(gpu)
{
    [Theory]
    [InlineData(VkFormat.R8G8B8A8Unorm, VkImageLayout.ShaderReadOnlyOptimal, 9, 7)]
    [InlineData(VkFormat.B8G8R8A8Unorm, VkImageLayout.General, 13, 5)]
    [InlineData(VkFormat.R8G8B8A8Unorm, VkImageLayout.General, 1, 1)]
    public void Sampled_image_binding_reads_the_app_image(VkFormat format, VkImageLayout layout, int width, int height)
    {
        var rgba = AppImage.Pixels(width * height, width * 100 + height);
        using var image = new AppImage(Device, rgba, width, height, format, VkImageUsage.SampledBit, layout);
        using var view = ImageView.FromExternal(Device, image.Info, layout);
        using var dst = Device.CreateBuffer(width * height * 16L);
        var k = Device.GetKernel("test_image_fetch");
        using var set = Device.CreateBindingSet(k, [view, dst.All]);
        using (var cl = Device.CreateCommandList())
        {
            cl.Begin();
            cl.Dispatch(k, set, new ImageFetchPush { Width = (uint)width, Height = (uint)height }, (uint)(width + 7) / 8, (uint)(height + 7) / 8);
            cl.End();
            cl.Submit();
            cl.Wait();
        }
        Tolerance.AssertClose(Array.ConvertAll(rgba, b => b / 255.0), Device.Download<float>(dst.Slice(0, width * height * 16L)), 1e-6, 1e-6,
            $"texelFetch {format} {layout} {width}x{height}");
    }

    [Fact]
    public void Reflection_sees_a_sampled_image()
    {
        var r = SpirvReflection.Parse(ShaderLibrary.Load("test_image_fetch"), "test_image_fetch");
        Assert.Equal([VkDescriptorType.SampledImage, VkDescriptorType.StorageBuffer], r.Bindings.Select(b => b.Type));
        Assert.Equal((uint)Marshal.SizeOf<ImageFetchPush>(), r.PushConstantBytes);
    }

    [Fact]
    public void A_view_is_refused_for_an_image_it_cannot_read()
    {
        var rgba = AppImage.Pixels(4, 1);
        using var transferOnly = new AppImage(Device, rgba, 2, 2, VkFormat.R8G8B8A8Unorm, VkImageUsage.TransferSrcBit, VkImageLayout.TransferSrcOptimal);
        using var sampled = new AppImage(Device, rgba, 2, 2, VkFormat.R8G8B8A8Unorm, VkImageUsage.SampledBit, VkImageLayout.ShaderReadOnlyOptimal);
        var cases = new (string Expect, ExternalImage Image, VkImageLayout Layout)[]
        {
            ("SAMPLED or STORAGE", transferOnly.Info, VkImageLayout.ShaderReadOnlyOptimal),
            ("SHADER_READ_ONLY_OPTIMAL or GENERAL", sampled.Info, VkImageLayout.TransferSrcOptimal),
            ("null", sampled.Info with { Handle = default }, VkImageLayout.ShaderReadOnlyOptimal),
            ("extent", sampled.Info with { Width = 0 }, VkImageLayout.ShaderReadOnlyOptimal),
        };
        foreach (var (expect, info, layout) in cases)
        {
            var e = Assert.Throws<ArgumentException>(() => ImageView.FromExternal(Device, info, layout));
            Assert.Contains(expect, e.Message);
        }
    }
}
