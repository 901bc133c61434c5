using VkResNet.Graph.Models;
using VkResNet.Graph.Training;
using VkResNet.Importer.ResNet;
using VkResNet.Importer.Verify;
using VkResNet.Runtime.Tests;

namespace VkResNet.Importer.Tests;

[CollectionDefinition(GpuCollection.Name)]
public sealed class ImporterGpuCollection : ICollectionFixture<GpuFixture>;

/// <summary>
/// The done criterion: imported weights give torchvision's logits within 1e-4 relative on lavapipe,
/// for resnet18 and resnet50 from .pth and from ONNX, through the same path `vkresnet infer -c OUT` takes.
/// </summary>
[Collection(GpuCollection.Name)]
public class GpuLogitsTests(GpuFixture gpu, Xunit.Abstractions.ITestOutputHelper output)
{
    [Theory]
    [InlineData("resnet18.pth", "resnet18_ref.safetensors")]
    [InlineData("resnet18.onnx", "resnet18_ref.safetensors")]
    [InlineData("resnet50.pth", "resnet50_ref.safetensors")]
    [InlineData("resnet50.onnx", "resnet50_ref.safetensors")]
    public void Imported_checkpoints_reproduce_torchvision_logits_on_lavapipe(string file, string referenceFile)
    {
        using var dir = new TempDir();
        var (result, _) = TestImport.Run(dir, ImportFixtures.Get(file));
        var reference = ReferenceFile.Read(ImportFixtures.Get(referenceFile), TestImport.Codec);
        var spec = ResNetSpec.ImageNet(int.Parse(result.Arch.Name["resnet".Length..])).WithInput(3, (int)reference.InputShape[2], (int)reference.InputShape[3]);

        using var model = InferenceModel.Load(gpu.Device, dir.File("out.safetensors"), batch: (int)reference.InputShape[0], specOverride: spec);
        reference.Input.CopyTo(model.Input);
        float[] logits = model.Run().ToArray();
        gpu.AssertClean();

        var check = LogitsComparison.Compare(reference.Logits, logits, reference.LogitsShape);
        var line = new StringWriter();
        check.Print(line, reference.LogitsShape);
        output.WriteLine($"{file}: {line}");
        Assert.True(check.Passed, $"{file}: max |diff| {check.MaxAbsDiff:G4} ({check.MaxRelDiff:G4} relative, tolerance {check.Rtol}), top-1 {check.Top1Agree}/{check.Samples}");
    }

    [Fact]
    public void The_verify_hook_runs_on_the_gpu_runner()
    {
        using var dir = new TempDir();
        var opts = new ImportOptions("", "", VerifyReference: ImportFixtures.Get("resnet18_ref.safetensors"));
        var (result, _) = TestImport.Run(dir, ImportFixtures.Get("resnet18.onnx"), opts, new VkResNetGpuRunner(gpu.Device));
        gpu.AssertClean();
        Assert.True(result.Verify!.Passed, $"max |diff| {result.Verify.MaxAbsDiff:G4} ({result.Verify.MaxRelDiff:G4} relative)");
    }
}

public class ParameterTableTests
{
    [Theory]
    [InlineData(18)]
    [InlineData(34)]
    [InlineData(50)]
    [InlineData(101)]
    [InlineData(152)]
    public void The_importer_table_is_the_names_and_shapes_the_model_builder_declares(int depth)
    {
        // Built on the CPU-side IR only; no device. Unoptimised so the BN tensors are those a checkpoint holds.
        var model = ResNetBuilder.Build(ResNetSpec.ImageNet(depth), 1, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: false));
        var declared = model.Graph.ReferencedTensors()
            .Where(t => t.Kind is Graph.Ir.TensorKind.Parameter or Graph.Ir.TensorKind.RunningStat)
            .Select(t => $"{t.Name} {WeightTensor.FormatShape(t.Shape.Dims.ToArray().Select(d => (long)d).ToArray())}")
            .Order(StringComparer.Ordinal);
        var table = TorchvisionLayout.Parse($"resnet{depth}").Parameters().Select(p => $"{p.Name} {WeightTensor.FormatShape(p.Shape)}").Order(StringComparer.Ordinal);
        Assert.Equal(declared, table);
    }
}
