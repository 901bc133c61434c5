using VkResNet.Importer.ResNet;

namespace VkResNet.Importer.Tests;

public class SafeTensorsAndLayoutTests
{
    [Fact]
    public void Safetensors_in_float16_with_a_module_prefix_imports_as_float32()
    {
        using var dir = new TempDir();
        var (_, imported) = TestImport.Run(dir, ImportFixtures.Get("resnet18.pth"));
        // Re-save as F16 with DataParallel's "module." prefix, through a hand-written F16 safetensors file.
        string f16 = dir.File("module_f16.safetensors");
        WriteF16(f16, imported.Tensors.Select(t => t with { Name = "module." + t.Name }).ToList());
        using var dir2 = new TempDir();
        var (result, written) = TestImport.Run(dir2, f16);
        Assert.Equal(SourceFormat.SafeTensors, result.Format);
        Assert.Equal("resnet18", result.Arch.Name);
        Assert.Equal(imported.Tensors.Select(t => t.Name), written.Tensors.Select(t => t.Name));
        foreach (var t in imported.Tensors) TestImport.AssertClose(t, written[t.Name], 1e-4, 1e-3);  // F16 rounding
    }

    [Theory]
    [InlineData("resnet18", "resnet18.pth", 11_689_512L)]
    [InlineData("resnet34", "resnet34.pth", 21_797_672L)]
    [InlineData("resnet50", "resnet50.pth", 25_557_032L)]
    [InlineData("resnet101", "resnet101_f16.pth", 44_549_160L)]
    [InlineData("resnet152", "resnet152_f16.pth", 60_192_808L)]
    public void Each_depth_imports_from_torchvision_safetensors_with_the_pth_values(string arch, string pth, long parameters)
    {
        using var dir = new TempDir();
        var (result, written) = TestImport.Run(dir, ImportFixtures.Get($"{arch}_f16.safetensors"));
        Assert.Equal(SourceFormat.SafeTensors, result.Format);
        TestImport.AssertIsModel(result, written, arch, parameters);
        using var dir2 = new TempDir();
        var (_, fromPth) = TestImport.Run(dir2, ImportFixtures.Get(pth));
        foreach (var t in fromPth.Tensors) TestImport.AssertClose(t, written[t.Name], 1e-4, 1e-3);  // F16 rounding
    }

    [Theory]
    [InlineData("resnet50.onnx", "resnet50")]
    [InlineData("resnet101_f16.pth", "resnet101")]
    public void The_output_is_a_checkpoint_vkresnet_infer_accepts(string file, string arch)
    {
        using var dir = new TempDir();
        TestImport.Run(dir, ImportFixtures.Get(file));
        var ckpt = Graph.IO.Checkpoint.Load(dir.File("out.safetensors"));
        Assert.Equal(arch, ckpt.ModelName);
        var spec = Graph.Training.InferenceModel.SpecOf(ckpt, file);  // what `vkresnet infer -c` builds
        Assert.Equal(arch, spec.Name);
        Assert.Equal(1000, spec.Classes);
        Assert.Equal(TorchvisionLayout.Parse(arch).Parameters().Count, ckpt.Parameters.Count);
        Assert.Empty(ckpt.OptimizerState);
    }

    [Fact]
    public void Conv_bias_layout_folds_batch_norm_and_keeps_the_logits()
    {
        using var dir = new TempDir();
        var opts = new ImportOptions("", "", Layout: BatchNormLayout.ConvBias, VerifyReference: ImportFixtures.Get("resnet18_ref.safetensors"));
        var (result, written) = TestImport.Run(dir, ImportFixtures.Get("resnet18.pth"), opts, new GraphReferenceRunner());
        Assert.Equal(TorchvisionLayout.Parse("resnet18").Parameters(foldedBatchNorm: true).Select(p => p.Name), written.Tensors.Select(t => t.Name));
        Assert.DoesNotContain(written.Tensors, t => t.Name.Contains(".bn") || t.Name.StartsWith("bn1"));
        Assert.Equal("folded-into-conv-bias", written.Metadata["vkresnet.batchnorm"]);
        Assert.True(result.Verify!.Passed, $"rel {result.Verify.MaxRelDiff}");
    }

    [Fact]
    public void Verify_rejects_logits_that_differ_and_writes_nothing()
    {
        using var dir = new TempDir();
        var reference = TestImport.Codec.Read(ImportFixtures.Get("resnet18_ref.safetensors"));
        var logits = reference["logits"];
        for (int i = 0; i < logits.Data.Length; i += 97) logits.Data[i] += 0.5f;
        string bad = dir.File("bad_ref.safetensors");
        TestImport.WriteSafeTensors(bad, reference.Tensors);
        var opts = new ImportOptions(ImportFixtures.Get("resnet18.pth"), dir.File("out.safetensors"), VerifyReference: bad);
        var e = Assert.Throws<ImportException>(() => ImportPipeline.Run(opts, TestImport.Codec, new GraphReferenceRunner(), TextWriter.Null));
        Assert.Contains("does not reproduce", e.Message);
        Assert.False(File.Exists(opts.Output));
    }

    [Theory]
    [InlineData("resnet18", 102)]
    [InlineData("resnet34", 182)]
    [InlineData("resnet50", 267)]
    [InlineData("resnet101", 522)]
    [InlineData("resnet152", 777)]
    public void Parameter_tables_have_torchvision_counts(string arch, int tensors)
    {
        // torchvision state_dict sizes minus one num_batches_tracked per BN.
        Assert.Equal(tensors, TorchvisionLayout.Parse(arch).Parameters().Count);
    }

    private static void WriteF16(string path, IReadOnlyList<WeightTensor> tensors)
    {
        var header = new System.Text.StringBuilder("{");
        long offset = 0;
        foreach (var t in tensors)
        {
            header.Append($"\"{t.Name}\":{{\"dtype\":\"F16\",\"shape\":[{string.Join(",", t.Shape)}],\"data_offsets\":[{offset},{offset + 2 * t.Data.Length}]}},");
            offset += 2 * t.Data.Length;
        }
        header.Length--;
        header.Append('}');
        byte[] h = System.Text.Encoding.UTF8.GetBytes(header.ToString());
        using var f = File.Create(path);
        f.Write(BitConverter.GetBytes((ulong)h.Length));
        f.Write(h);
        foreach (var t in tensors) foreach (float v in t.Data) f.Write(BitConverter.GetBytes((Half)v));
    }
}
