using VkResNet.Graph.Data;
using VkResNet.Graph.Embedding;
using VkResNet.Graph.Tests.Reference;
using VkResNet.Runtime;
using VkResNet.Runtime.Native;
using VkResNet.Runtime.Tests;
using Xunit;
using static VkResNet.Graph.Tests.Embedding.EmbeddingModels;

namespace VkResNet.Graph.Tests.Embedding;

/// <summary>
/// An app's VkImage as model input, read in place (no copy) by the image pre-pass through a sampled-image binding: the
/// image (made through the raw binding, as an app would) gives the CPU reference's NCHW tensor and, bit for bit, the
/// logits of the same bytes registered as an RGBA8 buffer, submitted or recorded into the app's command buffer; what
/// it cannot read is refused up front with a clear error. Validation (synchronization included) must stay silent.
/// </summary>
public class ImageSourceTests(GpuFixture gpu) : GpuTest(gpu)
{
    const int Height = 31, Width = 29;

    [Theory]
    [InlineData(VkFormat.R8G8B8A8Unorm, VkImageLayout.ShaderReadOnlyOptimal, 1, 1)]
    [InlineData(VkFormat.B8G8R8A8Srgb, VkImageLayout.ShaderReadOnlyOptimal, 2, 3)]
    [InlineData(VkFormat.R8G8B8A8Srgb, VkImageLayout.General, 1, 3)]
    [InlineData(VkFormat.B8G8R8A8Unorm, VkImageLayout.General, 2, 1)]
    public void ImageSource_GivesTheReferenceTensor_AndTheBufferSourcesLogits(VkFormat format, VkImageLayout layout, int batch, int channels)
    {
        var (model, graph) = ResNet20(Device, batch, channels, Height, Width);
        using var g = graph;
        var norm = channels == 3 ? Normalization.Cifar10 : Normalization.FashionMnist;
        int pixels = batch * Height * Width;
        var rgba = AppImage.Pixels(pixels, batch * 10 + channels);
        using var buffer = Device.CreateBuffer(pixels * 4L, MemoryKind.DeviceLocal, "app.pixels");
        Device.Upload<byte>(buffer.Slice(0, pixels * 4L), rgba);
        using var image = new AppImage(Device, rgba, Width, Height * batch, format, VkImageUsage.SampledBit | VkImageUsage.ColorAttachmentBit, layout);
        using var inference = RealtimeInference.Create(graph, model.Input, model.Logits, new RealtimeOptions { Normalization = norm });
        var fromBuffer = inference.RegisterRgba8(buffer.Slice(0, pixels * 4L));
        var fromImage = inference.RegisterRgba8Image(image.Info, layout);
        var a = inference.Submit(fromBuffer);
        a.Wait();
        var expected = a.Result.ToArray();
        var b = inference.Submit(fromImage);
        b.Wait();
        Assert.Null(FirstDifference(expected, b.Result));

        var reference = CpuRef.Rgba8ToNchw(rgba, batch, Height, Width, Array.ConvertAll(norm.Mean, v => (double)v), Array.ConvertAll(norm.Std, v => (double)v));
        var tensor = Device.Download<float>(inference.InputTensor);
        Assert.Equal(reference.Length, tensor.Length);
        for (int i = 0; i < reference.Length; i++)
            Assert.True(Math.Abs(tensor[i] - reference[i]) <= 1e-5 + 1e-5 * Math.Abs(reference[i]),
                $"{format} {layout} batch {batch} channels {channels}: input [{i}] expected {reference[i]:G9} got {tensor[i]:G9}");

        // Recorded into the app's own command buffer, the image source gives the same bits.
        using var app = Device.CreateCommandList();
        app.Begin();
        var t = inference.Record(app.Handle, fromImage);
        app.End();
        if (t.Semaphore.IsNull) app.Submit(); else app.Submit([], [(t.Semaphore, t.Value)]);
        if (t.Semaphore.IsNull)
        {
            app.Wait();
            inference.NotifyCompleted(t);
        }
        else t.Wait();
        Assert.Null(FirstDifference(expected, t.Result));
    }

    [Fact]
    public void RegisterRgba8Image_RefusesWhatItCannotRead_WithAClearError()
    {
        var (model, graph) = ResNet20(Device);
        using var g = graph;
        var rgba = AppImage.Pixels(28 * 28, 1);
        using var transferOnly = new AppImage(Device, rgba, 28, 28, VkFormat.R8G8B8A8Unorm, VkImageUsage.TransferSrcBit, VkImageLayout.TransferSrcOptimal);
        using var image = new AppImage(Device, rgba, 28, 28, VkFormat.R8G8B8A8Unorm, VkImageUsage.SampledBit, VkImageLayout.ShaderReadOnlyOptimal);
        using var inference = RealtimeInference.Create(graph, model.Input, model.Logits, new RealtimeOptions { ProfileRuns = 0 }); // disposed before the images it views
        var cases = new (string Expect, ExternalImage Image, VkImageLayout Layout)[]
        {
            ("lacks VK_IMAGE_USAGE_SAMPLED_BIT", transferOnly.Info, VkImageLayout.ShaderReadOnlyOptimal),
            ("not one of the formats", image.Info with { Format = VkFormat.R32Sfloat }, VkImageLayout.ShaderReadOnlyOptimal),
            ("stacked vertically", image.Info with { Height = 29 }, VkImageLayout.ShaderReadOnlyOptimal),
            ("SHADER_READ_ONLY_OPTIMAL or GENERAL", image.Info, VkImageLayout.TransferSrcOptimal),
        };
        foreach (var (expect, info, layout) in cases)
        {
            var e = Assert.Throws<ArgumentException>(() => inference.RegisterRgba8Image(info, layout));
            Assert.Contains(expect, e.Message);
        }

        // The refusals left nothing half-registered: a valid image still registers and runs.
        var source = inference.RegisterRgba8Image(image.Info, VkImageLayout.ShaderReadOnlyOptimal);
        Assert.Equal(0, source.Index);
        var t = inference.Submit(source);
        t.Wait();
        Assert.True(float.IsFinite(t.Result[0]));
    }
}
