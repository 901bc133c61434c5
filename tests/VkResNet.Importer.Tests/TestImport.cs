using VkResNet.Importer.ResNet;
using VkResNet.Graph.IO;
using VkResNet.Importer.SafeTensors;
using VkResNet.Importer.Verify;
using VkResNet.Runtime.Tests;

namespace VkResNet.Importer.Tests;

/// <summary>Runs the import pipeline in-process into a temp folder and reads the output back.</summary>
internal static class TestImport
{
    public static readonly GraphWeightFiles Codec = new();

    public static (ImportResult Result, WeightSet Written) Run(TempDir dir, string source, ImportOptions? options = null, IReferenceModelRunner? runner = null)
    {
        string output = dir.File("out.safetensors");
        var o = (options ?? new ImportOptions(source, output)) with { Source = source, Output = output };
        var log = new StringWriter();
        ImportResult r = ImportPipeline.Run(o, Codec, runner, log);
        return (r, Codec.Read(output));
    }

    /// <summary>Writes plain F32 safetensors (no checkpoint metadata), as another tool would.</summary>
    public static void WriteSafeTensors(string path, IEnumerable<WeightTensor> tensors) =>
        SafeTensorsWriter.Write(path, tensors.Select(t => SafeTensorEntry.Float32(t.Name, t.Shape, t.Data)).ToList());

    /// <summary>Asserts an import found <paramref name="arch"/> with its parameter count, and wrote every tensor of the VkResNet model in order and shape.</summary>
    public static void AssertIsModel(ImportResult result, WeightSet written, string arch, long parameters)
    {
        Assert.Equal(arch, result.Arch.Name);
        Assert.Equal(parameters, result.ParameterCount);
        var expected = TorchvisionLayout.Parse(arch).Parameters();
        Assert.Equal(expected.Select(p => p.Name), written.Tensors.Select(t => t.Name));
        Assert.Equal(expected.Select(p => WeightTensor.FormatShape(p.Shape)), written.Tensors.Select(t => t.ShapeText));
    }

    /// <summary>Asserts two tensors agree within atol + rtol * |expected| (Runtime.Tests' Tolerance), shapes first.</summary>
    public static void AssertClose(WeightTensor expected, WeightTensor actual, double atol, double rtol)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Tolerance.AssertClose(expected.Data, actual.Data, atol, rtol, $"{expected.Name} {expected.ShapeText}");
    }
}
