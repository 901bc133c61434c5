using VkResNet.Graph.IO;
using VkResNet.Graph.Tests.Support;
using Xunit;

namespace VkResNet.Graph.Tests.IO;

public class CheckpointTests
{
    [Fact]
    public void RoundTripsParametersOptimizerStateAndMetadata()
    {
        using var dir = new TempDir();
        string path = dir.File("ckpt/epoch-3.safetensors");
        var rng = new Random(4);
        float[] Rand(int n) => Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
        var ckpt = new Checkpoint
        {
            ModelName = "resnet20-cifar",
            Epoch = 3,
            Step = 1173,
            Seed = -7,
            Parameters =
            [
                new NamedTensor("conv1.weight", [16, 3, 3, 3], Rand(16 * 27)),
                new NamedTensor("bn1.running_var", [16], Rand(16)),
            ],
            OptimizerState = [new NamedTensor(Checkpoint.MomentumName("conv1.weight"), [16, 3, 3, 3], Rand(16 * 27))],
            Metadata = new Dictionary<string, string> { ["lr_schedule"] = "step 0.1 x0.1 at 32k,48k", ["optimizer"] = "sgd momentum 0.9 wd 1e-4" },
        };
        ckpt.Save(path);
        Checkpoint back = Checkpoint.Load(path);
        Assert.Equal(("resnet20-cifar", 3, 1173L, -7L), (back.ModelName, back.Epoch, back.Step, back.Seed));
        Assert.Equal(ckpt.Parameters.Select(p => p.Name), back.Parameters.Select(p => p.Name));
        Assert.Equal("optim.momentum.conv1.weight", Assert.Single(back.OptimizerState).Name);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(ckpt.Parameters[i].Shape, back.Parameters[i].Shape);
            Assert.Equal(ckpt.Parameters[i].Data, back.Parameters[i].Data);
        }
        Assert.Equal(ckpt.OptimizerState[0].Data, back.OptimizerState[0].Data);
        Assert.Equal(ckpt.Metadata, back.Metadata);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void PlainSafetensorsIsNotACheckpoint()
    {
        using var dir = new TempDir();
        string path = dir.File("plain.safetensors");
        SafeTensorsWriter.Write(path, [SafeTensorEntry.Float32("w", [1], [1f])]);
        var e = Assert.Throws<WeightFileException>(() => Checkpoint.Load(path));
        Assert.Contains("is not a VkResNet checkpoint", e.Message);
    }

    [Theory]
    [InlineData("optim.momentum.w", false, "must not use the optimizer prefix")]
    [InlineData("momentum.w", true, "must start with 'optim.'")]
    public void MisplacedOptimizerNamesAreRefused(string name, bool asOptimizerState, string expected)
    {
        using var dir = new TempDir();
        var t = new NamedTensor(name, [1], [0f]);
        var ckpt = new Checkpoint { ModelName = "m", Parameters = asOptimizerState ? [] : [t], OptimizerState = asOptimizerState ? [t] : [] };
        var e = Assert.Throws<WeightFileException>(() => ckpt.Save(dir.File("c.safetensors")));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ShapeAndDataMismatchIsRefused()
    {
        using var dir = new TempDir();
        var ckpt = new Checkpoint { ModelName = "m", Parameters = [new NamedTensor("w", [2, 3], new float[5])] };
        var e = Assert.Throws<WeightFileException>(() => ckpt.Save(dir.File("c.safetensors")));
        Assert.Contains("has shape [2, 3] but 5 values", e.Message);
    }
}
