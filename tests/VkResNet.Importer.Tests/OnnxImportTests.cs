using VkResNet.Importer.Onnx;
using VkResNet.Importer.ResNet;
using VkResNet.Importer.Torch;

namespace VkResNet.Importer.Tests;

public class OnnxImportTests
{
    [Theory]
    [InlineData("resnet18.onnx", "resnet18", 11_689_512L)]
    [InlineData("resnet34.onnx", "resnet34", 21_797_672L)]
    [InlineData("resnet50.onnx", "resnet50", 25_557_032L)]
    [InlineData("resnet101.onnx", "resnet101", 44_549_160L)]
    [InlineData("resnet152.onnx", "resnet152", 60_192_808L)]
    [InlineData("resnet18_unfolded.onnx", "resnet18", 11_689_512L)]
    public void Onnx_resnets_import_with_torchvision_names_and_shapes(string file, string arch, long parameters)
    {
        using var dir = new TempDir();
        var (result, written) = TestImport.Run(dir, ImportFixtures.Get(file));
        Assert.Equal(SourceFormat.Onnx, result.Format);
        TestImport.AssertIsModel(result, written, arch, parameters);
    }

    [Theory]
    [InlineData("resnet18.onnx", "resnet18_ref.safetensors")]
    [InlineData("resnet50.onnx", "resnet50_ref.safetensors")]
    [InlineData("resnet18_unfolded.onnx", "resnet18_ref.safetensors")]
    public void Imported_onnx_weights_reproduce_torchvision_logits_on_cpu(string file, string reference)
    {
        using var dir = new TempDir();
        var opts = new ImportOptions("", "", VerifyReference: ImportFixtures.Get(reference));
        var (result, _) = TestImport.Run(dir, ImportFixtures.Get(file), opts, new GraphReferenceRunner());
        Assert.True(result.Verify!.Passed, $"max abs {result.Verify.MaxAbsDiff}, rel {result.Verify.MaxRelDiff}, top-1 {result.Verify.Top1Agree}/{result.Verify.Samples}");
    }

    [Fact]
    public void An_eval_mode_export_is_reported_as_folded_and_matches_the_pth_folded()
    {
        WeightSet onnx = OnnxResNetImporter.Read(ImportFixtures.Get("resnet18.onnx"));
        Assert.Contains(onnx.Notes, n => n.Contains("folded into Conv"));
        Assert.Equal("true", onnx.Metadata["vkresnet.onnx_bn_folded"]);
        var (arch, pth) = StateDictMapper.Map(TorchCheckpointReader.Read(ImportFixtures.Get("resnet18.pth")), null, "resnet18.pth");
        var (_, fromOnnx) = StateDictMapper.Map(onnx, null, "resnet18.onnx");
        WeightSet a = StateDictFolding.Fold(arch, pth), b = StateDictFolding.Fold(arch, fromOnnx);
        // PyTorch folded in float32, VkResNet in double: agreement to float32 rounding of the scale.
        foreach (var t in a.Tensors) TestImport.AssertClose(t, b[t.Name], 1e-6, 1e-5);
    }

    [Fact]
    public void A_training_mode_export_keeps_the_state_dict_values()
    {
        var (_, pth) = StateDictMapper.Map(TorchCheckpointReader.Read(ImportFixtures.Get("resnet18.pth")), null, "resnet18.pth");
        var (_, onnx) = StateDictMapper.Map(OnnxResNetImporter.Read(ImportFixtures.Get("resnet18_unfolded.onnx")), null, "resnet18_unfolded.onnx");
        Assert.DoesNotContain(onnx.Notes, n => n.Contains("folded"));
        foreach (var t in pth.Tensors) TestImport.AssertClose(t, onnx[t.Name], 0, 1e-7);
    }
}
