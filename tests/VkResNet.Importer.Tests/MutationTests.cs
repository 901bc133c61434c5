using System.Security.Cryptography;
using System.Text;
using VkResNet.Importer.Onnx;
using VkResNet.Importer.Torch;
using VkResNet.Runtime.Tests;

namespace VkResNet.Importer.Tests;

/// <summary>
/// Seeded mutation tests of the .pth and ONNX readers on small models made in code: every mutant is refused with an
/// <see cref="ImportException"/> or read; nothing crashes or hangs, and a .pth (CRC-32 on every entry read) is never
/// accepted with changed contents. The regression cases of issue 18 follow.
/// </summary>
public class MutationTests
{
    static readonly (string, int[], float[])[] Tensors =
    [
        ("conv1.weight", [2, 1, 3, 3], Enumerable.Range(0, 18).Select(i => i * 0.25f - 2).ToArray()),
        ("bn1.running_var", [2], [0.5f, 1.5f]),
        ("fc.bias", [3], [0.1f, -0.2f, 0.3f]),
    ];

    static string Render(WeightSet w) => string.Join("\n", w.Tensors.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t =>
        $"{t.Name} {t.ShapeText} {t.SourceType} {Convert.ToHexString(SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.Data.AsSpan())))[..16]}"));

    [Fact]
    public void Mutated_pth_files_are_refused_or_read_back_unchanged()
    {
        var counts = Mutation.Run(".pth", TinyModels.Pth(Tensors), b => Mutation.OnDisk(b, ".pth", p => Render(TorchCheckpointReader.Read(p))),
            e => e is ImportException, checksummed: true);
        Assert.Equal(0, counts[MutationOutcome.AcceptedDifferent]);
    }

    [Fact]
    public void Mutated_onnx_models_are_refused_or_read_without_a_crash()
    {
        byte[] onnx = TinyModels.OnnxResNet18();
        Assert.Equal(102, Mutation.OnDisk(onnx, ".onnx", OnnxResNetImporter.Read).Count);  // the unmutated model imports: 102 tensors, as torchvision's
        Mutation.Run("onnx", onnx, b => Mutation.OnDisk(b, ".onnx", p => Render(OnnxResNetImporter.Read(p))), e => e is ImportException, checksummed: false);
    }

    [Fact]
    public void A_flipped_byte_inside_a_pth_storage_is_caught_by_the_zip_crc()
    {
        byte[] pth = TinyModels.Pth(Tensors);
        int at = IndexOf(pth, BitConverter.GetBytes(0.25f * 5 - 2));  // a value of conv1.weight's storage
        pth[at] ^= 0x01;
        var e = Assert.Throws<ImportException>(() => Mutation.OnDisk(pth, ".pth", TorchCheckpointReader.Read));
        Assert.Contains("CRC-32", e.Message);
    }

    [Fact]
    public void A_pth_storage_larger_than_its_tensors_declare_is_refused()
    {
        // "Storage grown": the zip entry holds 4 floats, the pickle declares 3 (accepted silently before issue 18).
        byte[] grown = TinyModels.Pth([.. Tensors[..2], ("fc.bias", [3], [0.1f, -0.2f, 0.3f, 9f])], declared: [18, 2, 3]);
        var e = Assert.Throws<ImportException>(() => Mutation.OnDisk(grown, ".pth", TorchCheckpointReader.Read));
        Assert.Contains("holds 16 bytes but declares 3 Float elements (12 bytes); wrong tensor size", e.Message);
    }

    [Fact]
    public void An_onnx_node_with_a_short_input_list_is_refused_by_name()
    {
        byte[] onnx = TinyModels.OnnxResNet18(stemInputs: 1);  // a Conv without its weight input (IndexOutOfRangeException before issue 18)
        var e = Assert.Throws<ImportException>(() => Mutation.OnDisk(onnx, ".onnx", OnnxResNetImporter.Read));
        Assert.Contains("(Conv) has 1 inputs; input 1 is needed", e.Message);
    }

    [Fact]
    public void Onnx_errors_escape_the_non_printable_bytes_of_node_names()
    {
        byte[] onnx = TinyModels.OnnxResNet18();
        int at = IndexOf(onnx, [0x22, 0x11, .. Encoding.ASCII.GetBytes("GlobalAveragePool")]);  // op_type field of that node
        onnx[at + 2] = 0x1b;  // ESC [: a terminal escape sequence in the op type, which the error names
        onnx[at + 3] = (byte)'[';
        var r = ImporterCli.Run(WriteTemp(onnx), "-o", Path.Combine(Path.GetTempPath(), $"never-{Guid.NewGuid():N}.safetensors"));
        Assert.Equal(VkResNet.Graph.Edge.ExitCodes.BadInput, r.ExitCode);
        Assert.DoesNotContain('\u001b', r.Stderr);
        Assert.Contains("\\x1b[", r.Stderr);
    }

    static string WriteTemp(byte[] bytes)
    {
        string p = Path.Combine(Path.GetTempPath(), $"vkresnet-import-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(p, bytes);
        return p;
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        throw new InvalidOperationException("needle not found");
    }
}
