using VkResNet.Graph.Execution;
using VkResNet.Graph.Models;
using VkResNet.Graph.Tests.Support;
using VkResNet.Graph.Training;
using VkResNet.Graph.Tuning;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Execution;

/// <summary>
/// The hot path: replaying a compiled training step allocates no managed memory, compiles no
/// pipeline and records nothing; only the host inputs change between runs.
/// </summary>
[Collection(GpuCollection.Name)]
public sealed class SteadyStateTests(GpuFixture gpu) : GpuTest(gpu)
{
    // Tuned: the kernels chosen by measurement at compile (a test-local cache); the replay is the same hot path.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_training_step_replays_without_allocating_compiling_or_recording(bool tuned)
    {
        using var cache = new TempDir();
        var model = ResNetBuilder.Build(ResNetSpec.Cifar(8, 10).WithInput(1, 12, 12), 4, ResNetMode.Train);
        using var graph = CompiledGraph.Compile(Device, model.Graph, new CompileOptions { Tuning = tuned ? TestTuning.Measured(cache.Path) : TuningOptions.Off });
        if (tuned) Assert.True(graph.Kernels.Summary!.Measured > 0, $"nothing was measured: {graph.Kernels.Summary}");
        ParameterInitializer.Initialize(graph, seed: 3);
        var input = graph.Input(model.Input);
        var labels = graph.Labels(model.Labels!);
        var lr = graph.Input(model.LearningRate!);
        for (int i = 0; i < labels.Length; i++) labels[i] = i % 10;
        graph.Run(); // first run: everything is already compiled and recorded

        int kernels = Device.Kernels.Compiled, dispatches = graph.Dispatches;
        long before = GC.GetAllocatedBytesForCurrentThread();
        float loss = 0;
        for (int step = 0; step < 100; step++)
        {
            for (int i = 0; i < input.Length; i++) input[i] = (i * 7 + step) % 13 / 13f;
            lr[0] = 0.01f;
            graph.Run();
            loss = graph.Output(model.Loss!)[0];
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(kernels, Device.Kernels.Compiled);
        Assert.Equal(dispatches, graph.Dispatches);
        Assert.True(float.IsFinite(loss), $"loss {loss}");
    }
}
