using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VkResNet.Graph.IO;
using VkResNet.Graph.Tests.Support;
using Xunit;

namespace VkResNet.Graph.Tests.IO.Properties;

/// <summary>
/// SafeTensorsWriter then SafeTensorsFile gives back every tensor's name, dtype, shape and bytes and the metadata;
/// checkpoints survive Save then Load; corrupt files of either only throw WeightFileException.
/// </summary>
public class SafeTensorsPropertyTests
{
    private static readonly TensorDType[] DTypes = Enum.GetValues<TensorDType>();

    // Names and metadata from an alphabet with JSON's awkward characters (quote, backslash, control, non-ASCII).
    private static Gen<string> Text(int min) =>
        Gen.ArrayOf(Gen.Elements("abcxyz019._-/\"\\\n\té€😀".EnumerateRunes().Select(r => r.ToString()).ToArray()))
            .Select(parts => string.Concat(parts)).Where(s => s.Length >= min);

    private static Gen<long[]> Shape => Gen.Choose(0, 3).SelectMany(rank => Gen.ArrayOf(Gen.Choose(0, 5).Select(d => (long)d), rank));

    private static Gen<SafeTensorEntry> Entry(string name) =>
        from dtype in Gen.Elements(DTypes)
        from shape in Shape
        from data in FileGen.Bytes(checked((int)shape.Aggregate(1L, (a, d) => a * d) * dtype.Size()))
        select new SafeTensorEntry(name, dtype, shape, data);

    public sealed record FileCase(SafeTensorEntry[] Tensors, Dictionary<string, string> Metadata)
    {
        public override string ToString() =>
            string.Join("; ", Tensors.Select(t => $"{t.Name} {t.DType}[{string.Join(',', t.Shape)}]")) + $"; {Metadata.Count} metadata";
    }

    private static Arbitrary<FileCase> Files { get; } =
        (from names in Gen.ListOf(Text(1)).Select(ns => ns.Where(n => n != "__metadata__").Distinct(StringComparer.Ordinal).Take(5).ToArray())
         from tensors in Gen.CollectToArray(names.Select(Entry))
         from keys in Gen.ListOf(Text(0))
         from values in Gen.ArrayOf(Text(0), keys.Count)
         select new FileCase(tensors, keys.Zip(values).DistinctBy(kv => kv.First, StringComparer.Ordinal)
             .ToDictionary(kv => kv.First, kv => kv.Second, StringComparer.Ordinal))).ToArbitrary();

    private static Arbitrary<Checkpoint> Checkpoints { get; } =
        (from model in Text(1)
         from epoch in Gen.Choose(0, 1000)
         from step in Gen.Choose(0, int.MaxValue)
         from seed in Gen.Choose(int.MinValue, int.MaxValue)
         from count in Gen.Choose(0, 4)
         from shapes in Gen.ArrayOf(Gen.Choose(0, 3).SelectMany(r => Gen.ArrayOf(Gen.Choose(1, 4), r)), count)
         from values in Gen.CollectToArray(shapes.Select(s => Gen.ArrayOf(FileGen.Bytes(4).Select(b => BitConverter.ToSingle(b)), s.Aggregate(1, (a, d) => a * d))))
         select new Checkpoint
         {
             ModelName = model, Epoch = epoch, Step = step * 7L, Seed = seed,
             Parameters = shapes.Select((s, i) => new NamedTensor($"layer{i}.weight", s, values[i])).ToArray(),
             OptimizerState = shapes.Select((s, i) => new NamedTensor(Checkpoint.MomentumName($"layer{i}.weight"), s, values[i])).ToArray(),
             Metadata = new Dictionary<string, string> { ["note"] = model },
         }).ToArbitrary();

    private static byte[] Encode(FileCase k, TempDir dir)
    {
        string path = dir.File("x.safetensors");
        SafeTensorsWriter.Write(path, k.Tensors, k.Metadata);
        return File.ReadAllBytes(path);
    }

    [Property(MaxTest = 60, QuietOnSuccess = true)]
    public Property RoundTripKeepsTensorsAndMetadata() => Prop.ForAll(Files, k =>
    {
        using var dir = new TempDir();
        SafeTensorsFile back = SafeTensorsFile.Parse(Encode(k, dir), "x.safetensors");
        Assert.Equal(k.Tensors.Select(t => t.Name), back.Tensors.Select(t => t.Name));
        foreach (SafeTensorEntry t in k.Tensors)
        {
            Assert.Equal(t.DType, back[t.Name].DType);
            Assert.Equal(t.Shape, back[t.Name].Shape);
            Assert.True(t.Data.Span.SequenceEqual(back.GetBytes(t.Name)), $"bytes of '{t.Name}' differ");
        }
        Assert.Equal(k.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal), back.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal));
    });

    [Property(MaxTest = 200, QuietOnSuccess = true)]
    public Property CorruptSafetensorsParsesOrThrowsWeightFileException() => Prop.ForAll(Files, FileGen.Corruptions, (k, corruption) =>
    {
        using var dir = new TempDir();
        byte[] bad = corruption.Apply(Encode(k, dir));
        FileGen.ReadsOrFailsWith<WeightFileException>(() =>
        {
            SafeTensorsFile f = SafeTensorsFile.Parse(bad, "bad.safetensors");
            foreach (SafeTensorInfo t in f.Tensors) _ = f.GetBytes(t.Name).Length;
        });
    });

    [Property(MaxTest = 40, QuietOnSuccess = true)]
    public Property CheckpointSaveLoadKeepsEverything() => Prop.ForAll(Checkpoints, c =>
    {
        using var dir = new TempDir();
        string path = dir.File("ckpt.safetensors");
        c.Save(path);
        Checkpoint back = Checkpoint.Load(path);
        Assert.Equal((c.ModelName, c.Epoch, c.Step, c.Seed), (back.ModelName, back.Epoch, back.Step, back.Seed));
        Assert.Equal(c.Metadata, back.Metadata);
        AssertSameTensors(c.Parameters, back.Parameters);
        AssertSameTensors(c.OptimizerState, back.OptimizerState);
    });

    [Property(MaxTest = 150, QuietOnSuccess = true)]
    public Property CorruptCheckpointLoadsOrThrowsWeightFileException() => Prop.ForAll(Checkpoints, FileGen.Corruptions, (c, corruption) =>
    {
        using var dir = new TempDir();
        string path = dir.File("ckpt.safetensors");
        c.Save(path);
        File.WriteAllBytes(path, corruption.Apply(File.ReadAllBytes(path)));
        FileGen.ReadsOrFailsWith<WeightFileException>(() => _ = Checkpoint.Load(path).Parameters.Count);
    });

    // Bit patterns, not float values: a round trip must keep NaN payloads and -0 too.
    private static void AssertSameTensors(IReadOnlyList<NamedTensor> expected, IReadOnlyList<NamedTensor> actual)
    {
        Assert.Equal(expected.Select(t => t.Name), actual.Select(t => t.Name));
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.Equal(e.Shape, a.Shape);
            Assert.Equal(e.Data.Select(BitConverter.SingleToInt32Bits), a.Data.Select(BitConverter.SingleToInt32Bits));
        }
    }
}
