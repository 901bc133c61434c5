using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VkResNet.Graph.Data;
using VkResNet.Graph.Tests.Support;
using Xunit;

namespace VkResNet.Graph.Tests.IO.Properties;

/// <summary>IdxReader.Write then Read gives back dimensions and bytes, plain and gzip; corrupt IDX files only throw DatasetException.</summary>
public class IdxPropertyTests
{
    public sealed record IdxCase(int[] Dims, byte[] Data, bool Gzip)
    {
        public override string ToString() => $"{string.Join('x', Dims)}{(Gzip ? " gzip" : "")}";
    }

    private static Arbitrary<IdxCase> Cases { get; } =
        (from n in Gen.Choose(1, 4)
         from dims in Gen.ArrayOf(Gen.Choose(0, 7), n)
         from data in FileGen.Bytes(dims.Aggregate(1, (a, d) => a * d))
         from gzip in Gen.Elements(false, true)
         select new IdxCase(dims, data, gzip)).ToArbitrary();

    private static byte[] Encode(IdxCase k, TempDir dir)
    {
        string path = dir.File("x.idx");
        IdxReader.Write(path, k.Dims, k.Data, k.Gzip);
        return File.ReadAllBytes(path);
    }

    [Property(MaxTest = 60, QuietOnSuccess = true)]
    public Property RoundTripKeepsDimensionsAndData() => Prop.ForAll(Cases, k =>
    {
        using var dir = new TempDir();
        string path = dir.File("x.idx");
        IdxReader.Write(path, k.Dims, k.Data, k.Gzip);
        IdxFile back = IdxReader.Read(path);
        Assert.Equal(k.Dims, back.Dimensions);
        Assert.Equal(k.Data, back.Data);
    });

    [Property(MaxTest = 150, QuietOnSuccess = true)]
    public Property CorruptIdxReadsOrThrowsDatasetException() => Prop.ForAll(Cases, FileGen.Corruptions, (k, corruption) =>
    {
        using var dir = new TempDir();
        string path = dir.File("bad.idx");
        File.WriteAllBytes(path, corruption.Apply(Encode(k, dir)));
        FileGen.ReadsOrFailsWith<DatasetException>(() =>
        {
            IdxFile f = IdxReader.Read(path);
            Assert.Equal(f.ElementCount, f.Data.Length);
        });
    });
}
