using VkResNet.Graph.IO;
using VkResNet.Graph.Tests.Support;
using Xunit;

namespace VkResNet.Graph.Tests.IO;

public class AtomicFileTests
{
    [Fact]
    public void SuccessReplacesTheFileAndLeavesNoTempFile()
    {
        using var dir = new TempDir();
        string path = dir.File("out.bin");
        File.WriteAllText(path, "old");
        AtomicFile.Write(path, s => s.Write("new content"u8));
        Assert.Equal("new content", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void FailureMidWriteKeepsTheOldFileAndRemovesTheTempFile()
    {
        using var dir = new TempDir();
        string path = dir.File("weights.safetensors");
        SafeTensorsWriter.Write(path, [SafeTensorEntry.Float32("w", [2], [1f, 2f])]);
        byte[] before = File.ReadAllBytes(path);
        var e = Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[100_000]); // half a file reaches the disk...
            throw new IOException("disk full (simulated)");
        }));
        Assert.Contains("simulated", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
        Assert.Equal([1f, 2f], SafeTensorsFile.Read(path).ReadFloat32("w"));
    }

    [Fact]
    public void CreatesMissingFolders()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "a", "b", "c.txt");
        AtomicFile.Write(path, s => s.Write("x"u8));
        Assert.Equal("x", File.ReadAllText(path));
    }
}
