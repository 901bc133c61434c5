using VkResNet.Graph.Execution;
using VkResNet.Graph.Models;
using VkResNet.Graph.Training;
using VkResNet.Runtime;

namespace VkResNet.Graph.Tests.Embedding;

/// <summary>A CIFAR-style ResNet-20 inference graph with seeded random weights (no checkpoint needed), and seeded inputs.</summary>
public static class EmbeddingModels
{
    public static (ResNetModel Model, CompiledGraph Graph) ResNet20(Device device, int batch = 1, int channels = 1, int size = 28, int? width = null)
    {
        var spec = ResNetSpec.Cifar(20).WithInput(channels, size, width ?? size);
        var model = ResNetBuilder.Build(spec, batch, ResNetMode.Infer);
        var graph = CompiledGraph.Compile(device, model.Graph);
        ParameterInitializer.Initialize(graph, seed: 7);
        return (model, graph);
    }

    public static float[] Input(ResNetModel model, int seed)
    {
        var rng = new Random(seed);
        var x = new float[model.Input.Shape.ElementCount];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>The graph run the plain way (its own recorded command buffer): the reference every embedding path must equal.</summary>
    public static float[] RunOneShot(CompiledGraph graph, ResNetModel model, float[] input)
    {
        input.CopyTo(graph.Input(model.Input));
        graph.Run();
        return graph.Output(model.Logits).ToArray();
    }

    /// <summary>Bit-identical comparison: the paths replay the same kernels in the same order, so any difference is a bug.</summary>
    public static string? FirstDifference(float[] expected, ReadOnlySpan<float> got)
    {
        if (expected.Length != got.Length) return $"length {got.Length}, expected {expected.Length}";
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(got[i]))
                return $"[{i}] expected {expected[i]:G9} got {got[i]:G9}";
        return null;
    }
}
