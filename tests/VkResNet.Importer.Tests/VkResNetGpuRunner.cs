using VkResNet.Graph.Execution;
using VkResNet.Graph.IO;
using VkResNet.Graph.Models;
using VkResNet.Graph.Training;
using VkResNet.Importer.ResNet;
using VkResNet.Importer.Verify;
using VkResNet.Runtime;

namespace VkResNet.Importer.Tests;

/// <summary>
/// The --verify runner on VkResNet's inference path: builds the ResNet in inference mode for the reference's input
/// size (BN folded, epilogues fused), restores the imported weights by name and returns the logits. This is what
/// Program.cs's <c>runner</c> becomes once the lead lets vkresnet-import open a device (see the importer README).
/// </summary>
public sealed class VkResNetGpuRunner(Device device) : IReferenceModelRunner
{
    public float[] RunLogits(ResNetArch arch, WeightSet weights, float[] input, long[] inputShape)
    {
        int depth = int.Parse(arch.Name["resnet".Length..]);
        var spec = ResNetSpec.ImageNet(depth, (int)weights["fc.bias"].Shape[0]).WithInput((int)inputShape[1], (int)inputShape[2], (int)inputShape[3]);
        var model = ResNetBuilder.Build(spec, (int)inputShape[0], ResNetMode.Infer);
        using var graph = CompiledGraph.Compile(device, model.Graph);
        var checkpoint = new Checkpoint
        {
            ModelName = arch.Name,
            Parameters = weights.Tensors.Select(t => new NamedTensor(t.Name, Array.ConvertAll(t.Shape, d => (int)d), t.Data)).ToList(),
        };
        ModelState.Restore(graph, checkpoint, withOptimizer: false, "imported weights");
        input.CopyTo(graph.Input(model.Input));
        graph.Run();
        return graph.Output(model.Logits).ToArray();
    }
}
