using VkResNet.Graph.Execution;
using VkResNet.Graph.IO;
using VkResNet.Graph.Models;
using VkResNet.Graph.Training;
using VkResNet.Importer.ResNet;
using VkResNet.Runtime;

namespace VkResNet.Importer.Verify;

/// <summary>
/// The --verify runner on VkResNet's inference path: builds the ResNet in inference mode for the reference's input
/// size (BN folded, epilogues fused), restores the imported weights by name and returns the logits. Only --verify
/// opens a device; importing alone never touches the GPU.
/// </summary>
public sealed class VkResNetGpuRunner(Device device) : IReferenceModelRunner
{
    public float[] RunLogits(ResNetSpec arch, WeightSet weights, float[] input, long[] inputShape)
    {
        var spec = (arch with { Classes = (int)weights["fc.bias"].Shape[0] }).WithInput((int)inputShape[1], (int)inputShape[2], (int)inputShape[3]);
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
