using VkResNet.Graph.Data;
using VkResNet.Graph.IO;
using VkResNet.Graph.Tests.Support;
using VkResNet.Viewer.Rendering;
using Xunit;

namespace VkResNet.Graph.Tests.Data;

/// <summary>
/// Bad input must end in the reader's own clear exception, never an IndexOutOfRange, overflow or hang:
/// each case flips or truncates bytes of a valid file (seeded) and decodes it.
/// </summary>
public class CorruptInputTests
{
    private static byte[] Mutate(byte[] valid, int seed)
    {
        var rng = new Random(seed);
        byte[] data = (byte[])valid.Clone();
        if (seed % 4 == 0) return data[..rng.Next(data.Length)];
        int flips = 1 + rng.Next(4);
        for (int i = 0; i < flips; i++) data[rng.Next(data.Length)] = (byte)rng.Next(256);
        return data;
    }

    public static IEnumerable<object[]> Seeds(string kind) => Enumerable.Range(1, 50).Select(s => new object[] { kind, s });
    public static IEnumerable<object[]> AllCases() =>
        new[] { "png", "jpeg", "pnm" }.SelectMany(k => Seeds(k));

    [Theory]
    [MemberData(nameof(AllCases))]
    public void CorruptImageDecodesOrFailsClearly(string kind, int seed)
    {
        byte[] valid = kind switch
        {
            "png" => PngWriter.Encode(new RasterImage(9, 7, 3, Enumerable.Range(0, 189).Select(i => (byte)(i * 5)).ToArray())),
            "jpeg" => File.ReadAllBytes(Fixtures.Path("jpeg", "rgb420_restart_40x24.jpg")),
            _ => [.. "P6 3 2 255\n"u8.ToArray(), .. Enumerable.Range(0, 18).Select(i => (byte)i)],
        };
        using var dir = new TempDir();
        string path = dir.File("img");
        File.WriteAllBytes(path, Mutate(valid, seed));
        try
        {
            RasterImage img = ImageFolderDataset.Decode(path);
            Assert.Equal(img.Width * img.Height * img.Channels, img.Pixels.Length);
        }
        catch (DatasetException e)
        {
            Assert.Contains(path, e.Message);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds), "safetensors")]
    public void CorruptSafetensorsLoadsOrFailsClearly(string kind, int seed)
    {
        using var dir = new TempDir();
        string path = dir.File(kind);
        SafeTensorsWriter.Write(path, [SafeTensorEntry.Float32("a", [2, 3], new float[6]), SafeTensorEntry.Int64("b", [2], [1, 2])],
            new Dictionary<string, string> { ["k"] = "v" });
        File.WriteAllBytes(path, Mutate(File.ReadAllBytes(path), seed));
        try
        {
            SafeTensorsFile f = SafeTensorsFile.Read(path);
            foreach (SafeTensorInfo t in f.Tensors) Assert.Equal(t.ByteLength, f.GetBytes(t.Name).Length);
        }
        catch (WeightFileException e)
        {
            Assert.Contains(path, e.Message);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds), "idx")]
    public void CorruptIdxLoadsOrFailsClearly(string kind, int seed)
    {
        using var dir = new TempDir();
        string path = dir.File(kind);
        IdxReader.Write(path, [5, 4, 3], Enumerable.Range(0, 60).Select(i => (byte)i).ToArray(), gzip: seed % 2 == 0);
        File.WriteAllBytes(path, Mutate(File.ReadAllBytes(path), seed));
        try
        {
            IdxFile f = IdxReader.Read(path);
            Assert.Equal(f.ElementCount, f.Data.Length);
        }
        catch (DatasetException e)
        {
            Assert.Contains(path, e.Message);
        }
    }
}
