using VkResNet.Importer.ResNet;
using VkResNet.Importer.Torch;

namespace VkResNet.Importer.Tests;

public class TorchImportTests
{
    // Published torchvision parameter counts (docs/anchors.md): 11,689,512 / 21,797,672 / 25,557,032 / 44,549,160 / 60,192,808.
    [Theory]
    [InlineData("resnet18.pth", "resnet18", 11_689_512L)]
    [InlineData("resnet34.pth", "resnet34", 21_797_672L)]
    [InlineData("resnet50.pth", "resnet50", 25_557_032L)]
    [InlineData("resnet101_f16.pth", "resnet101", 44_549_160L)]
    [InlineData("resnet152_f16.pth", "resnet152", 60_192_808L)]
    public void Each_torchvision_depth_imports_with_torchvision_names_and_shapes(string file, string arch, long parameters)
    {
        string source = ImportFixtures.Get(file);
        using var dir = new TempDir();
        var (result, written) = TestImport.Run(dir, source);

        TestImport.AssertIsModel(result, written, arch, parameters);
        Assert.All(written.Tensors, t => Assert.Equal(SourceDType.F32, t.SourceType));
        Assert.Equal(arch, written.Metadata["vkresnet.arch"]);

        // Values survive (float16 sources widened exactly), num_batches_tracked is dropped.
        WeightSet raw = TorchCheckpointReader.Read(source);
        Assert.Contains(raw.Tensors, t => t.Name.EndsWith("num_batches_tracked") && t.IsInteger);
        foreach (var t in written.Tensors) TestImport.AssertClose(raw[t.Name], t, 0, 1e-7);
    }

    [Fact]
    public void A_checkpoint_dict_yields_its_state_dict()
    {
        using var dir = new TempDir();
        var (plain, plainWritten) = TestImport.Run(dir, ImportFixtures.Get("resnet18.pth"));
        using var dir2 = new TempDir();
        var (ckpt, ckptWritten) = TestImport.Run(dir2, ImportFixtures.Get("resnet18_checkpoint.pth"));
        Assert.Equal("resnet18", ckpt.Arch.Name);
        Assert.Contains(ckpt.Weights.Notes, n => n.Contains("'state_dict'"));
        Assert.Equal(plainWritten.Tensors.Select(t => t.Name), ckptWritten.Tensors.Select(t => t.Name));
        foreach (var t in plainWritten.Tensors) TestImport.AssertClose(t, ckptWritten[t.Name], 0, 1e-7);
    }

    [Theory]
    [InlineData("resnet18.pth", "resnet18_ref.safetensors")]
    [InlineData("resnet50.pth", "resnet50_ref.safetensors")]
    public void Imported_pth_weights_reproduce_torchvision_logits_on_cpu(string file, string reference)
    {
        using var dir = new TempDir();
        var opts = new ImportOptions("", "", VerifyReference: ImportFixtures.Get(reference));
        var (result, _) = TestImport.Run(dir, ImportFixtures.Get(file), opts, new GraphReferenceRunner());
        Assert.NotNull(result.Verify);
        Assert.True(result.Verify!.Passed, $"max abs {result.Verify.MaxAbsDiff}, rel {result.Verify.MaxRelDiff}, top-1 {result.Verify.Top1Agree}/{result.Verify.Samples}");
    }

    [Fact]
    public void Protocol_4_pickles_read()
    {
        WeightSet w = TorchCheckpointReader.Read(ImportFixtures.Get("small_proto4.pth"));
        Assert.Equal(["conv1.weight", "bn1.weight"], w.Tensors.Select(t => t.Name));
        Assert.Equal([4L, 3, 3, 3], w["conv1.weight"].Shape);
        Assert.All(w["bn1.weight"].Data, v => Assert.Equal(1.0, v, 6));
    }

    [Fact]
    public void Strided_views_of_shared_storages_are_gathered_in_order()
    {
        WeightSet actual = TorchCheckpointReader.Read(ImportFixtures.Get("strided.pth"));
        WeightSet expected = TestImport.Codec.Read(ImportFixtures.Get("strided_expected.safetensors"));
        Assert.Equal(expected.Tensors.Select(t => t.Name), actual.Tensors.Select(t => t.Name));
        Assert.Equal(SourceDType.F16, actual["half_view"].SourceType);
        foreach (var e in expected.Tensors) TestImport.AssertClose(e, actual[e.Name], 1e-7, 1e-7);
    }
}
