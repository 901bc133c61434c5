using VkResNet.Graph.Embedding;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Tests.Kernels;
using VkResNet.Graph.Tests.Reference;
using VkResNet.Runtime;
using VkResNet.Runtime.Native;
using VkResNet.Runtime.Tests;
using Xunit;
using static VkResNet.Graph.Tests.Embedding.EmbeddingModels;

namespace VkResNet.Graph.Tests.Embedding;

/// <summary>
/// The image pre-pass (an app's image read in place through a sampled-image binding) against the CPU double-precision
/// reference, on odd sizes, 1 to 4 channels, every supported format (sRGB and BGRA included) and both read layouts;
/// and bit for bit against the buffer pre-pass on the same bytes.
/// </summary>
public class Rgba8ImageToNchwTests(GpuFixture gpu) : KernelTest(gpu)
{
    [Theory]
    [InlineData(VkFormat.R8G8B8A8Unorm, VkImageLayout.ShaderReadOnlyOptimal, 1, 3, 31, 29)]
    [InlineData(VkFormat.R8G8B8A8Srgb, VkImageLayout.ShaderReadOnlyOptimal, 2, 4, 9, 7)]
    [InlineData(VkFormat.B8G8R8A8Unorm, VkImageLayout.General, 1, 3, 13, 5)]
    [InlineData(VkFormat.B8G8R8A8Srgb, VkImageLayout.ShaderReadOnlyOptimal, 3, 1, 7, 9)]
    [InlineData(VkFormat.R8G8B8A8Unorm, VkImageLayout.General, 2, 2, 1, 1)]
    [InlineData(VkFormat.R8G8B8A8Srgb, VkImageLayout.General, 1, 3, 16, 17)]
    public void MatchesCpuReference_AndTheBufferPrePass(VkFormat format, VkImageLayout layout, int batch, int channels, int height, int width)
    {
        int pixels = batch * height * width;
        var rgba = AppImage.Pixels(pixels, batch * 1000 + channels * 100 + height * 10 + width);
        double[] mean = new[] { 0.485, 0.456, 0.406, 0.5 }[..channels];
        double[] std = new[] { 0.229, 0.224, 0.225, 0.25 }[..channels];
        float[] meanF = Array.ConvertAll(mean, v => (float)v), stdF = Array.ConvertAll(std, v => (float)v);
        var expected = CpuRef.Rgba8ToNchw(rgba, batch, height, width, mean, std);

        using var image = new AppImage(Device, rgba, width, height * batch, format, VkImageUsage.SampledBit, layout);
        using var view = ImageView.FromExternal(Device, image.Info, layout);
        using var arena = new Arena(Device, ArenaBytes(expected.Length, expected.Length));
        var y = arena.Alloc(expected.Length);
        using (var cl = Device.CreateCommandList())
        {
            cl.Begin();
            using var set = ImageInputKernels.Rgba8ImageToNchw(Device, cl, view, batch, height, width, meanF, stdF, y);
            cl.End();
            cl.Submit();
            cl.Wait();
        }
        var got = arena.Read(y, expected.Length);

        var bad = new List<string>();
        for (int i = 0; i < expected.Length && bad.Count < 5; i++)
            if (Math.Abs(got[i] - expected[i]) > 1e-5 + 1e-5 * Math.Abs(expected[i]))
                bad.Add($"[{i}] expected {expected[i]:G9} got {got[i]:G9}");
        Assert.True(bad.Count == 0, $"rgba8_image_to_nchw {format} {layout} {batch}x{channels}x{height}x{width}: {string.Join("; ", bad)}");

        using var src = Device.CreateBuffer(pixels * 4L, MemoryKind.DeviceLocal, "rgba8");
        Device.Upload<byte>(src.Slice(0, pixels * 4L), rgba);
        var fromBuffer = arena.Alloc(expected.Length);
        Record(Device.Variant, r => ImageInputKernels.Rgba8ToNchw(r, batch, height, width, meanF, stdF, src.Slice(0, pixels * 4L), fromBuffer));
        Assert.Null(FirstDifference(arena.Read(fromBuffer, expected.Length), got));
    }

    [Fact]
    public void Reflection_SeesASampledImageAndAStorageBuffer()
    {
        var bindings = Device.GetKernel("rgba8_image_to_nchw").Interface.Bindings;
        Assert.Equal([VkDescriptorType.SampledImage, VkDescriptorType.StorageBuffer], bindings.Select(b => b.Type));
    }

    [Fact]
    public void BindingSet_RefusesAnImageWithoutSampledUsage_AndABufferForAnImageBinding()
    {
        var rgba = AppImage.Pixels(9 * 7, 3);
        using var image = new AppImage(Device, rgba, 9, 7, VkFormat.R8G8B8A8Unorm, VkImageUsage.StorageBit, VkImageLayout.General);
        using var view = ImageView.FromExternal(Device, image.Info, VkImageLayout.General);
        using var y = Device.CreateBuffer(9 * 7 * 4 * 4);
        var kernel = Device.GetKernel("rgba8_image_to_nchw");
        var e = Assert.Throws<ArgumentException>(() => Device.CreateBindingSet(kernel, [view, y.All]));
        Assert.Contains("SAMPLED", e.Message);
        e = Assert.Throws<ArgumentException>(() => Device.CreateBindingSet(kernel, [y.All, y.All]));
        Assert.Contains("image view", e.Message);
    }
}
