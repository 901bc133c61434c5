using System.Security.Cryptography;
using System.Text;
using VkResNet.Graph.Data;
using VkResNet.Graph.IO;
using VkResNet.Graph.Tests.Support;
using VkResNet.Graph.Training;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.IO;

/// <summary>
/// Seeded mutation tests of the readers in src/Graph (safetensors, VkResNet checkpoints, IDX): no crash, no hang,
/// and no corrupted checkpoint accepted (its checksum covers tensors and metadata). The regression cases of issue 18 follow.
/// </summary>
public class MutationTests
{
    static readonly Random Rng = new(18);

    static float[] Rand(int n) => Enumerable.Range(0, n).Select(_ => (float)Rng.NextDouble() - 0.5f).ToArray();

    static Checkpoint SmallCheckpoint(IReadOnlyDictionary<string, string>? metadata = null) => new()
    {
        ModelName = "resnet8", Epoch = 2, Step = 8, Seed = 1,
        Parameters = [new NamedTensor("conv1.weight", [4, 1, 3, 3], Rand(36)), new NamedTensor("bn1.running_var", [4], Rand(4)), new NamedTensor("fc.bias", [3], Rand(3))],
        OptimizerState = [new NamedTensor(Checkpoint.MomentumName("conv1.weight"), [4, 1, 3, 3], Rand(36))],
        Metadata = metadata ?? new Dictionary<string, string> { ["input"] = "1x28x28", ["normalization_mean"] = "0.286", ["normalization_std"] = "0.353", ["classes"] = "a|b|c" },
    };

    static byte[] Saved(Checkpoint c)
    {
        using var dir = new TempDir();
        c.Save(dir.File("c.safetensors"));
        return File.ReadAllBytes(dir.File("c.safetensors"));
    }

    static string Hash(ReadOnlySpan<byte> b) => Convert.ToHexString(SHA256.HashData(b))[..16];

    static string Render(Checkpoint c)
    {
        var s = new StringBuilder($"{c.ModelName} {c.Epoch} {c.Step} {c.Seed}\n");
        foreach (var t in c.Parameters.Concat(c.OptimizerState))
            s.Append($"{t.Name} [{string.Join(",", t.Shape)}] {Hash(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.Data.AsSpan()))}\n");
        foreach (var (k, v) in c.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) s.Append($"{k}={v}\n");
        return s.ToString();
    }

    static string Render(SafeTensorsFile f)
    {
        var s = new StringBuilder();
        foreach (var t in f.Tensors.OrderBy(t => t.Name, StringComparer.Ordinal)) s.Append($"{t.Name} {t.DType} {t.ShapeText} {Hash(f.GetBytes(t.Name))}\n");
        foreach (var (k, v) in f.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) s.Append($"{k}={v}\n");
        return s.ToString();
    }

    [Fact]
    public void Mutated_checkpoints_are_refused_or_read_back_unchanged_never_accepted_corrupt()
    {
        var counts = Mutation.Run("checkpoint", Saved(SmallCheckpoint()),
            b => Mutation.OnDisk(b, ".safetensors", p => Render(Checkpoint.Load(p))),
            e => e is WeightFileException, checksummed: true);
        Assert.Equal(0, counts[MutationOutcome.AcceptedDifferent]);
    }

    [Fact]
    public void Mutated_safetensors_are_refused_or_read_without_a_crash()
    {
        using var dir = new TempDir();
        string path = dir.File("s.safetensors");
        SafeTensorsWriter.Write(path,
        [
            SafeTensorEntry.Float32("w", [2, 3], Rand(6)),
            SafeTensorEntry.Float16("h", [5], Rand(5).Select(v => (Half)v).ToArray()),
            SafeTensorEntry.Int64("n", [2], [7, -1]),
            SafeTensorEntry.Int32("empty", [0, 4], []),
        ], new Dictionary<string, string> { ["k"] = "v" });
        Mutation.Run("safetensors", File.ReadAllBytes(path), b => Render(SafeTensorsFile.Parse(b, "mutant")), e => e is WeightFileException, checksummed: false);
    }

    [Fact]
    public void Mutated_idx_files_are_refused_or_read_without_a_crash()
    {
        using var dir = new TempDir();
        var data = new byte[3 * 5 * 4];
        Rng.NextBytes(data);
        foreach (bool gzip in new[] { false, true })
        {
            string path = dir.File($"images-{gzip}.idx");
            IdxReader.Write(path, [3, 5, 4], data, gzip);
            Mutation.Run($"idx{(gzip ? ".gz" : "")}", File.ReadAllBytes(path),
                b => Mutation.OnDisk(b, ".idx", p => { var f = IdxReader.Read(p); return $"{string.Join("x", f.Dimensions)} {Hash(f.Data)}"; }),
                e => e is DatasetException, checksummed: false, count: Mutation.CaseCount() / 2);
        }
    }

    // Regression cases of issue 18: checkpoints whose metadata is well-formed JSON (and checksummed) but wrong.
    [Theory]
    [InlineData("normalization_mean", "abc", "is not a list of 1 finite numbers")]
    [InlineData("normalization_std", "0", "finite positive numbers")]
    [InlineData("normalization_std", "0.3,0.3", "has 2 values; the model has 1 input channels")]
    [InlineData("input", "1x28", "is not CxHxW")]
    [InlineData("input", "0x28x28", "is not CxHxW")]
    [InlineData("classes", "a|b", "names 2 classes but fc.bias has 3")]
    [InlineData("shortcut", "Z", "is not A, B or C")]
    public void Checkpoint_metadata_is_checked_before_use(string key, string value, string message)
    {
        using var dir = new TempDir();
        var meta = new Dictionary<string, string> { ["input"] = "1x28x28", ["normalization_mean"] = "0.286", ["normalization_std"] = "0.353", ["classes"] = "a|b|c", [key] = value };
        SmallCheckpoint(meta).Save(dir.File("c.safetensors"));
        var e = Assert.Throws<InvalidDataException>(() => InferenceModel.Open(dir.File("c.safetensors")));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_checkpoint_of_another_architecture_is_refused_before_any_device_work()
    {
        using var dir = new TempDir();
        SmallCheckpoint(new Dictionary<string, string> { ["input"] = "1x28x28", ["classes"] = "a|b|c" }).Save(dir.File("c.safetensors"));
        var e = Assert.Throws<InvalidDataException>(() => InferenceModel.Open(dir.File("c.safetensors")));
        Assert.Contains("does not fit model resnet8", e.Message);
    }

    [Fact]
    public void A_flipped_byte_in_a_checkpoints_tensor_data_is_caught_by_its_checksum()
    {
        byte[] b = Saved(SmallCheckpoint());
        b[^5] ^= 0x10;  // inside the last tensor's data
        var e = Assert.Throws<WeightFileException>(() => Mutation.OnDisk(b, ".safetensors", Checkpoint.Load));
        Assert.Contains("is corrupt: its checksum is sha256:", e.Message);
    }

    [Fact]
    public void A_checkpoint_without_a_checksum_still_loads_with_a_note()
    {
        using var dir = new TempDir();
        string path = dir.File("old.safetensors");
        SafeTensorsWriter.Write(path, [SafeTensorEntry.Float32("fc.bias", [3], [1f, 2f, 3f])],
            new Dictionary<string, string> { ["format"] = Checkpoint.LegacyFormat, ["model"] = "resnet8", ["epoch"] = "1", ["step"] = "4", ["seed"] = "1" });
        var c = Checkpoint.Load(path);
        Assert.Equal([1f, 2f, 3f], c.Parameters[0].Data);
        Assert.Contains("has no checksum", Assert.Single(c.Notes));
    }

    [Fact]
    public void A_v2_checkpoint_whose_checksum_key_was_renamed_is_refused_not_downgraded()
    {
        byte[] b = Saved(SmallCheckpoint());
        int at = System.Text.Encoding.ASCII.GetString(b).IndexOf("\"checksum\"", StringComparison.Ordinal);
        b[at + 3] = (byte)'s';  // "chscksum": found by the 2000-case run, accepted as an old checkpoint before the v2 format
        var e = Assert.Throws<WeightFileException>(() => Mutation.OnDisk(b, ".safetensors", Checkpoint.Load));
        Assert.Contains("must hold a 'checksum'", e.Message);
    }

    [Fact]
    public void A_safetensors_header_naming_a_metadata_key_twice_is_refused()
    {
        string json = """{"__metadata__":{"a":"1","a":"2"},"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""";
        byte[] header = Encoding.UTF8.GetBytes(json);
        byte[] bytes = [.. BitConverter.GetBytes((ulong)header.Length), .. header, 0, 0, 0, 0];
        var e = Assert.Throws<WeightFileException>(() => SafeTensorsFile.Parse(bytes, "dup"));
        Assert.Contains("names 'a' twice", e.Message);
    }

    [Fact]
    public void Stale_temp_files_of_the_run_are_removed_and_others_kept()
    {
        using var dir = new TempDir();
        string dead = dir.File($".checkpoint.safetensors.999999999.{Guid.NewGuid():N}.tmp");
        string live = dir.File($".curves.svg.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        string foreign = dir.File(".checkpoint.safetensors.notours.tmp");
        foreach (var f in new[] { dead, live, foreign }) File.WriteAllText(f, "x");
        var removed = Trainer.RemoveStaleTempFiles(dir.Path);
        Assert.Equal(new[] { Path.GetFileName(dead), Path.GetFileName(live) }.Order(), removed.Order());  // our own pid's temp is stale at the start of a run
        Assert.True(File.Exists(foreign));
        Assert.False(File.Exists(dead));
    }
}
