using System.Buffers.Binary;
using System.Text;
using VkResNet.Importer.ResNet;

namespace VkResNet.Importer.Tests;

/// <summary>Every bad input ends in one clear error, exit code 5 (bad input), and no output file (not even a temp file).</summary>
public class MalformedInputTests
{
    [Theory]
    [InlineData("legacy.pth", "legacy (pre-1.6) torch.save file")]
    [InlineData("evil_os_system.pth", "refused pickle global 'posix.system'")]
    [InlineData("evil_eval.pth", "refused pickle global 'builtins.eval'")]
    [InlineData("truncated.pth", "not a complete zip archive")]
    [InlineData("short_storage.pth", "wrong tensor size")]
    [InlineData("unsupported_op.onnx", "node '/1/Sigmoid' has op type Sigmoid")]
    [InlineData("truncated.onnx", "not a valid ONNX model")]
    [InlineData("small_proto4.pth", "is not a torchvision ResNet this importer knows")]
    public void Generated_bad_files_are_refused_cleanly(string file, string message)
    {
        AssertRefused(ImportFixtures.Get(file), message);
    }

    public static TheoryData<string, byte[], string> BadSafeTensors => new()
    {
        { "header length past the end", Header(1000, "{}"), "runs past the end of the file" },
        { "offsets outside the data", Build("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 4), "lie outside the 4-byte data section" },
        { "size disagrees with shape", Build("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8), "needs 12 bytes" },
        { "overlapping tensors", Build("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12), "overlap" },
        { "header not JSON", Build("{not json", 0), "not valid UTF-8 JSON" },
        { "unknown dtype", Build("""{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}}""", 1), "unsupported dtype 'Q7'" },
    };

    [Theory]
    [MemberData(nameof(BadSafeTensors))]
    public void Bad_safetensors_are_refused_cleanly(string what, byte[] bytes, string message)
    {
        using var dir = new TempDir();
        string source = dir.File($"{what.Replace(' ', '_')}.safetensors");
        File.WriteAllBytes(source, bytes);
        AssertRefused(source, message);
    }

    [Fact]
    public void Every_missing_unexpected_and_misshapen_tensor_is_listed()
    {
        using var dir = new TempDir();
        var w = new WeightSet();
        foreach (var p in TorchvisionLayout.Parse("resnet18").Parameters())
        {
            if (p.Name is "layer2.1.bn2.running_var" or "fc.bias") continue;  // missing
            long[] shape = p.Name == "layer3.0.conv1.weight" ? [256, 128, 1, 1] : p.Shape;  // wrong shape
            w.Add(new WeightTensor(p.Name, shape, new float[WeightTensor.ShapeElements(shape)], SourceDType.F32));
        }
        w.Add(new WeightTensor("layer1.0.conv1.bias", [64], new float[64], SourceDType.F32));  // unexpected
        string source = dir.File("mismatch.safetensors");
        TestImport.WriteSafeTensors(source, w.Tensors);
        string err = AssertRefused(source, "does not match resnet18 (4 problems)", oneLine: false);
        Assert.Contains("missing: layer2.1.bn2.running_var [128]", err);
        Assert.Contains("missing: fc.bias [1000]", err);
        Assert.Contains("wrong shape: layer3.0.conv1.weight is [256, 128, 1, 1], resnet18 needs [256, 128, 3, 3]", err);
        Assert.Contains("unexpected: layer1.0.conv1.bias [64]", err);
    }

    [Fact]
    public void A_wrong_arch_lists_the_differences()
    {
        string err = AssertRefused(ImportFixtures.Get("resnet18.pth"), "does not match resnet34", oneLine: false, "--arch", "resnet34");
        Assert.Contains("missing: layer1.2.conv1.weight [64, 64, 3, 3]", err);
    }

    [Fact]
    public void A_failed_import_leaves_an_existing_output_untouched()
    {
        using var dir = new TempDir();
        string output = dir.File("existing.safetensors");
        File.WriteAllText(output, "previous contents");
        var r = ImporterCli.Run(ImportFixtures.Get("short_storage.pth"), "-o", output);
        Assert.Equal(VkResNet.Graph.Edge.ExitCodes.BadInput, r.ExitCode);
        Assert.Equal("previous contents", File.ReadAllText(output));
        Assert.Single(dir.Entries);
    }

    [Fact]
    public void Verify_against_another_models_logits_refuses_and_writes_nothing()
    {
        AssertRefused(ImportFixtures.Get("resnet18.pth"), "does not reproduce", oneLine: true,
            "--verify", ImportFixtures.Get("resnet50_ref.safetensors"));
    }

    [Fact]
    public void Verify_on_the_cli_runs_the_imported_model_and_prints_the_largest_difference()
    {
        using var dir = new TempDir();
        string output = dir.File("r18.safetensors");
        var r = ImporterCli.Run(ImportFixtures.Get("resnet18.pth"), "-o", output, "--verify", ImportFixtures.Get("resnet18_ref.safetensors"));
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("verify", r.Stdout);
        Assert.Contains("max |difference|", r.Stdout);
        Assert.True(File.Exists(output));
    }

    [Fact]
    public void A_successful_cli_import_exits_0_and_reports_the_folding()
    {
        using var dir = new TempDir();
        string output = dir.File("r18.safetensors");
        var r = ImporterCli.Run(ImportFixtures.Get("resnet18.onnx"), "-o", output);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("imported resnet18 (102 tensors, 11,689,512 parameters, 1000 classes)", r.Stdout);
        Assert.Contains("note: the ONNX graph has BatchNormalization folded into Conv", r.Stdout);
        Assert.Equal([output], dir.Entries);  // no temp file left behind
        Assert.Equal(102, TestImport.Codec.Read(output).Count);
    }

    [Fact]
    public void A_missing_source_is_refused()
    {
        using var dir = new TempDir();
        AssertRefused(dir.File("nope.pth"), "no such file");
    }

    private static string AssertRefused(string source, string message, bool oneLine = true, params string[] extra)
    {
        using var dir = new TempDir();
        string output = dir.File("out.safetensors");
        var r = ImporterCli.Run([source, "-o", output, .. extra]);
        Assert.True(r.ExitCode == VkResNet.Graph.Edge.ExitCodes.BadInput, $"exit {r.ExitCode}; stderr: {r.Stderr}; stdout: {r.Stdout}");
        Assert.StartsWith("vkresnet-import: error: ", r.Stderr);
        Assert.Contains(message, r.Stderr);
        if (oneLine) Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.DoesNotContain("   at ", r.Stderr);  // no stack trace
        Assert.Empty(dir.Entries);                 // no output, no temp file
        return r.Stderr;
    }

    private static byte[] Header(ulong length, string json)
    {
        var b = new byte[8 + Encoding.UTF8.GetByteCount(json)];
        BinaryPrimitives.WriteUInt64LittleEndian(b, length);
        Encoding.UTF8.GetBytes(json, b.AsSpan(8));
        return b;
    }

    private static byte[] Build(string json, int dataBytes) => [.. Header((ulong)Encoding.UTF8.GetByteCount(json), json), .. new byte[dataBytes]];
}
