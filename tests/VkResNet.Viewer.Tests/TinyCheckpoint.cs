using System.Globalization;
using VkResNet.Graph.Data;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Models;
using VkResNet.Graph.Training;
using VkResNet.Runtime;

namespace VkResNet.Viewer.Tests;

/// <summary>An initialised (untrained) CIFAR-style ResNet-20 on 1x28x28 saved as a trainer-style checkpoint, for Fashion-MNIST.</summary>
public static class TinyCheckpoint
{
    public const string FashionMnist = Dataset.DefaultFashionMnistFolder;
    public static readonly ResNetSpec Spec = ResNetSpec.Cifar(20).WithInput(1, 28, 28);

    /// <summary>Writes the checkpoint to <paramref name="path"/> (through a temporary file and a rename, as the trainer does).</summary>
    public static void Write(Device device, string path, int seed, int epoch = 1)
    {
        var model = ResNetBuilder.Build(Spec, 1, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: false));
        using var graph = CompiledGraph.Compile(device, model.Graph);
        ParameterInitializer.Initialize(graph, seed);
        var meta = new Dictionary<string, string>
        {
            ["input"] = "1x28x28",
            ["classes"] = string.Join("|", Dataset.FashionMnistClassNames),
            ["normalization_mean"] = Normalization.FashionMnist.Mean[0].ToString(CultureInfo.InvariantCulture),
            ["normalization_std"] = Normalization.FashionMnist.Std[0].ToString(CultureInfo.InvariantCulture),
        };
        string temp = path + ".writing";
        ModelState.Capture(graph, Spec.Name, epoch, 100L * epoch, seed, meta).Save(temp);
        File.Move(temp, path, overwrite: true);
    }
}
