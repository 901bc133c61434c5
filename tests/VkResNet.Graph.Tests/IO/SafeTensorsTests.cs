using System.Buffers.Binary;
using System.Text;
using VkResNet.Graph.IO;
using VkResNet.Graph.Tests.Support;
using Xunit;

namespace VkResNet.Graph.Tests.IO;

public class SafeTensorsTests
{
    [Fact]
    public void RoundTripsEveryDTypeWithMetadata()
    {
        using var dir = new TempDir();
        string path = dir.File("w.safetensors");
        float[] f32 = Enumerable.Range(0, 13 * 3).Select(i => i * 0.37f - 5f).ToArray();
        Half[] f16 = [(Half)1.5f, (Half)(-2.25f), (Half)65504f, (Half)0.000061f];
        int[] i32 = [1, -2, int.MaxValue];
        long[] i64 = [long.MinValue, 0, 7];
        SafeTensorsWriter.Write(path,
        [
            SafeTensorEntry.Float32("conv1.weight", [13, 3], f32),
            SafeTensorEntry.Float16("half", [2, 2], f16),
            SafeTensorEntry.Int32("bn.num_batches_tracked", [3], i32),
            SafeTensorEntry.Int64("steps", [3], i64),
            SafeTensorEntry.Float32("scalar", [], [3.5f]),
            SafeTensorEntry.Float32("empty", [0, 4], []),
        ], new Dictionary<string, string> { ["model"] = "resnet20", ["note"] = "é \"quoted\"" });

        SafeTensorsFile file = SafeTensorsFile.Read(path);
        Assert.Equal("resnet20", file.Metadata["model"]);
        Assert.Equal("é \"quoted\"", file.Metadata["note"]);
        Assert.Equal(6, file.Tensors.Count);
        Assert.Equal(["conv1.weight", "half", "bn.num_batches_tracked", "steps", "scalar", "empty"], file.Tensors.Select(t => t.Name));
        Assert.Equal(new long[] { 13, 3 }, file["conv1.weight"].Shape);
        Assert.Equal(f32, file.ReadFloat32("conv1.weight"));
        Assert.Equal(f16.Select(h => (float)h), file.ReadFloat32("half"));
        Assert.Equal(i32, file.ReadInt32("bn.num_batches_tracked"));
        Assert.Equal(i64, file.ReadInt64("steps"));
        Assert.Equal([3.5f], file.ReadFloat32("scalar"));
        Assert.Empty(file.ReadFloat32("empty"));
        // The header is padded so the data section starts 8-byte aligned.
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(path)) % 8);
        var e = Assert.Throws<WeightFileException>(() => file.ReadFloat32("missing"));
        Assert.Contains("no tensor named 'missing'", e.Message);
    }

    [Fact]
    public void ReadsBf16AsTheUpperHalfOfFloat32()
    {
        using var dir = new TempDir();
        string path = dir.File("bf.safetensors");
        byte[] data = [0x80, 0x3F, 0x20, 0xC0]; // 1.0, -2.5 in bfloat16
        File.WriteAllBytes(path, Build("{\"x\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", data));
        Assert.Equal([1f, -2.5f], SafeTensorsFile.Read(path).ReadFloat32("x"));
    }

    /// <summary>Header length (little-endian u64) + JSON + data, exactly as given.</summary>
    private static byte[] Build(string json, byte[] data, ulong? headerLength = null)
    {
        byte[] header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    private const string T = "{{\"dtype\":\"{0}\",\"shape\":{1},\"data_offsets\":{2}}}";
    private static string Entry(string dtype, string shape, string offsets) => string.Format(T, dtype, shape, offsets);

    public static TheoryData<string, string, int, ulong?> Malformed => new()
    {
        { "header past end", "{}", 0, 1000UL },
        { "bad json", "{\"a\": {\"dtype\": \"F32\",", 0, null },
        { "not an object", "[1, 2]", 0, null },
        { "unknown dtype", $"{{\"a\":{Entry("Q4", "[1]", "[0,4]")}}}", 4, null },
        { "offsets outside data", $"{{\"a\":{Entry("F32", "[2]", "[0,8]")}}}", 4, null },
        { "overlap", $"{{\"a\":{Entry("F32", "[2]", "[0,8]")},\"b\":{Entry("F32", "[2]", "[4,12]")}}}", 12, null },
        { "gap", $"{{\"a\":{Entry("F32", "[1]", "[0,4]")},\"b\":{Entry("F32", "[1]", "[8,12]")}}}", 12, null },
        { "trailing bytes", $"{{\"a\":{Entry("F32", "[1]", "[0,4]")}}}", 8, null },
        { "wrong size for shape", $"{{\"a\":{Entry("F32", "[3]", "[0,8]")}}}", 8, null },
        { "negative dim", $"{{\"a\":{Entry("F32", "[-1]", "[0,4]")}}}", 4, null },
        { "reversed offsets", $"{{\"a\":{Entry("F32", "[0]", "[4,0]")}}}", 4, null },
        { "metadata not strings", "{\"__metadata__\":{\"epoch\":3}}", 0, null },
        { "duplicate name", $"{{\"a\":{Entry("F32", "[1]", "[0,4]")},\"a\":{Entry("F32", "[1]", "[0,4]")}}}", 4, null },
        { "missing offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, null },
        { "short file", "", -1, null },
        // Found by the FsCheck corruption property: an escaped lone surrogate is valid JSON but no valid string.
        { "lone surrogate", "{\"__metadata__\":{\"k\":\"\\ude00\"}}", 0, null },
        { "lone surrogate name", $"{{\"\\ud800\":{Entry("F32", "[1]", "[0,4]")}}}", 4, null },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedFileIsRefusedWithAClearMessage(string problem, string json, int dataBytes, ulong? headerLength)
    {
        using var dir = new TempDir();
        string path = dir.File("bad.safetensors");
        File.WriteAllBytes(path, dataBytes < 0 ? [1, 2, 3] : Build(json, new byte[dataBytes], headerLength));
        var e = Assert.Throws<WeightFileException>(() => SafeTensorsFile.Read(path));
        Assert.Contains(path, e.Message);
        string expected = problem switch
        {
            "header past end" => "header length 1000 runs past the end of the file",
            "bad json" => "not valid UTF-8 JSON",
            "not an object" => "not an object",
            "unknown dtype" => "unsupported dtype 'Q4' (supported: F32, F16, BF16, F64, I64, I32)",
            "offsets outside data" => "data_offsets [0, 8] lie outside the 4-byte data section",
            "overlap" => "tensors 'a' [0, 8] and 'b' [4, 12] overlap",
            "gap" => "data bytes [4, 8) belong to no tensor",
            "trailing bytes" => "data bytes [4, 8) after the last tensor",
            "wrong size for shape" => "tensor 'a' of shape [3] and dtype F32 needs 12 bytes but data_offsets [0, 8] hold 8",
            "negative dim" => "not a non-negative integer",
            "reversed offsets" => "end before they begin",
            "metadata not strings" => "__metadata__ value 'epoch' is a Number, not a string",
            "duplicate name" => "names 'a' twice",
            "missing offsets" => "no 'data_offsets'",
            "short file" => "shorter than the 8-byte header length",
            "lone surrogate" or "lone surrogate name" => "header holds a string that is not valid text",
            _ => throw new ArgumentException(problem),
        };
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void WriterRefusesDataThatDoesNotMatchTheShape()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<WeightFileException>(() =>
            SafeTensorsWriter.Write(dir.File("x.safetensors"), [SafeTensorEntry.Float32("w", [2, 2], [1f, 2f, 3f])]));
        Assert.Contains("needs 16 bytes, got 12", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }
}
