using VkResNet.Graph.Execution;
using VkResNet.Graph.IO;
using VkResNet.Graph.Models;
using VkResNet.Graph.Tests.Reference;
using VkResNet.Graph.Tests.Support;
using VkResNet.Graph.Tuning;
using VkResNet.Graph.Training;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Network;

/// <summary>
/// ResNet-18 inference (BN with running statistics) against PyTorch's eval-mode logits, with the
/// inference optimisations (BN folded into convs, bias + ReLU + residual fused into conv epilogues)
/// on and off: both must give PyTorch's logits, so folding changes nothing but speed.
/// </summary>
[Collection(GpuCollection.Name)]
public sealed class PyTorchInferenceTests(GpuFixture gpu) : GpuTest(gpu)
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]   // the conv kernels chosen by measurement (a test-local cache)
    public void ResNet18_eval_logits_match_PyTorch_with_and_without_folding(bool optimize, bool tuned)
    {
        using var cache = new TempDir();
        var fx = Fixture.Load("resnet18_eval.safetensors");
        var spec = ResNetSpec.ResNet18(10).WithInput(3, 64, 64);
        var model = ResNetBuilder.Build(spec, 2, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: optimize));
        if (optimize)
            Assert.True(model.Graph.Folds.Count == 20, $"every conv of ResNet-18 is followed by a BN to fold; folded {model.Graph.Folds.Count}");
        using var graph = CompiledGraph.Compile(Device, model.Graph,
            new CompileOptions { Tuning = tuned ? TestTuning.Measured(cache.Path) : TuningOptions.Off });
        if (tuned) Assert.True(graph.Kernels.Summary!.Measured > 0, $"nothing was measured: {graph.Kernels.Summary}");
        var checkpoint = new Checkpoint
        {
            ModelName = spec.Name,
            Parameters = fx.Parameters.Where(e => e.K >= 0)
                .Select(e => new NamedTensor(e.Name, e.Shape, DeterministicInit.Parameter(e.Name, e.Shape, e.K))).ToList(),
        };
        ModelState.Restore(graph, checkpoint, withOptimizer: false, "deterministic init");
        fx.File.ReadFloat32("input").CopyTo(graph.Input(model.Input));
        graph.Run();
        var expected = fx.Get("logits");
        double scale = expected.Max(Math.Abs);
        Tolerance.AssertClose(expected, graph.Output(model.Logits), 1e-4 * scale, 1e-4, $"resnet18 eval logits (optimize={optimize}, tuned={tuned})");
    }
}
