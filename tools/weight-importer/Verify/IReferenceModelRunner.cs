using VkResNet.Graph.Models;
using VkResNet.Importer.ResNet;

namespace VkResNet.Importer.Verify;

/// <summary>
/// The --verify hook: builds the imported model and returns its eval-mode logits [N, classes] for an NCHW input.
/// The importer never touches the GPU itself; the VkResNet inference path implements this and is passed to
/// <see cref="ImportPipeline.Run"/> (see Program.cs, where the one line that wires it goes).
/// </summary>
public interface IReferenceModelRunner
{
    float[] RunLogits(ResNetSpec arch, WeightSet weights, float[] input, long[] inputShape);
}
