using VkResNet.Graph.Execution;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Models;
using VkResNet.Graph.Training;
using VkResNet.Graph.Tuning;
using VkResNet.Runtime;

namespace VkResNet.Graph.Tests.Support;

/// <summary>One training step of a small ResNet on fixed inputs and labels: every parameter gradient, and the kernels it recorded.</summary>
public static class TrainingStep
{
    public static float[] Gradients(Device device, ResNetModel model, TuningOptions tuning, int seed, out KernelSelection kernels)
    {
        using var graph = CompiledGraph.Compile(device, model.Graph, new CompileOptions { Tuning = tuning });
        ParameterInitializer.Initialize(graph, seed);
        var input = graph.Input(model.Input);
        for (int i = 0; i < input.Length; i++) input[i] = (i * 7) % 13 / 13f - 0.5f;
        var labels = graph.Labels(model.Labels!);
        for (int i = 0; i < labels.Length; i++) labels[i] = i % 10;
        graph.Input(model.LearningRate!)[0] = 0.1f;
        graph.Run();
        kernels = graph.Kernels;
        return [.. model.Gradients.SelectMany(g => graph.Read(g.Value))];
    }
}
