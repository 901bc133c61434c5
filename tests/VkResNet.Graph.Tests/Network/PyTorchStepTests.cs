using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Models;
using VkResNet.Graph.Tests.Reference;
using VkResNet.Graph.Tests.Support;
using VkResNet.Graph.Tuning;
using VkResNet.Runtime;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Network;

/// <summary>
/// Whole networks against PyTorch, per named tensor (the llm.c way): the same deterministic weights
/// and batch, one training step (SGD 0.1, momentum 0.9, weight decay 1e-4), then loss, logits, stage
/// activations, every parameter gradient, every updated weight and the BN running statistics compared.
/// </summary>
[Collection(GpuCollection.Name)]
public sealed class PyTorchStepTests(GpuFixture gpu) : GpuTest(gpu)
{
    // Reference: float64 PyTorch. A float32 PyTorch run differs by up to ~1e-5 relative of a tensor's scale.
    const double Rel = 1e-4;

    static readonly (string Ours, string Theirs)[] ResNet20Activations =
    [
        ("conv1", "act.conv1"), ("bn1", "act.bn1"), ("stem", "act.relu"),
        ("layer1", "act.layer1.2"), ("layer2", "act.layer2.2"), ("layer3", "act.layer3.2"), ("avgpool", "act.avgpool"),
    ];

    [Theory]
    [InlineData(KernelVariant.Cpu, false)]
    [InlineData(KernelVariant.Gpu, false)]
    [InlineData(KernelVariant.Cpu, true)]   // the conv kernels chosen by measurement (a test-local cache)
    public void ResNet20_training_step_matches_PyTorch_per_named_tensor(KernelVariant variant, bool tuned)
    {
        using var cache = new TempDir();
        var fx = Fixture.Load("resnet20_fmnist_step.safetensors");
        var spec = ResNetSpec.Cifar(20, 10).WithInput(1, 28, 28);
        var model = ResNetBuilder.Build(spec, 4, ResNetMode.Train, new ResNetBuildOptions(Sgd: new SgdOptions(0.9f, 1e-4f)));
        foreach (var (ours, _) in ResNet20Activations) model.Graph[ours].Kind = TensorKind.Output;
        model.Graph["logits"].Kind = TensorKind.Output;
        var tuning = tuned ? TestTuning.Measured(cache.Path) : TuningOptions.Off;
        using var graph = CompiledGraph.Compile(Device, model.Graph, new CompileOptions { Variant = variant, Tuning = tuning });
        Load(graph, fx, model);
        graph.Run();

        string v = tuned ? $"{variant} tuned" : variant.ToString();
        if (tuned) Assert.True(graph.Kernels.Summary!.Measured > 0, $"nothing was measured: {graph.Kernels.Summary}");
        AssertTensor(fx, "loss", graph.Output(model.Loss!)[..1].ToArray(), $"{v} loss");
        AssertTensor(fx, "logits", graph.Output(model.Logits).ToArray(), $"{v} logits");
        foreach (var (ours, theirs) in ResNet20Activations)
            AssertTensor(fx, theirs, graph.Output(model.Graph[ours]).ToArray(), $"{v} {ours}");
        foreach (var (param, grad) in model.Gradients)
            AssertTensor(fx, "grad." + param.Name, graph.Read(grad), $"{v} grad.{param.Name}");
        foreach (var t in model.Graph.ReferencedTensors().Where(t => t.Kind is TensorKind.Parameter or TensorKind.RunningStat))
            AssertTensor(fx, "updated." + t.Name, graph.Read(t), $"{v} updated.{t.Name}");
    }

    [Fact]
    public void ResNet18_training_step_matches_PyTorch_by_statistics_and_samples()
    {
        var fx = Fixture.Load("resnet18_step.safetensors");
        var spec = ResNetSpec.ResNet18(10).WithInput(3, 64, 64);
        var model = ResNetBuilder.Build(spec, 2, ResNetMode.Train, new ResNetBuildOptions(Sgd: new SgdOptions(0.9f, 1e-4f)));
        model.Graph["logits"].Kind = TensorKind.Output;
        using var graph = CompiledGraph.Compile(Device, model.Graph);
        Load(graph, fx, model);
        graph.Run();

        AssertTensor(fx, "loss", graph.Output(model.Loss!)[..1].ToArray(), "loss");
        AssertTensor(fx, "logits", graph.Output(model.Logits).ToArray(), "logits");
        foreach (var (param, grad) in model.Gradients)
            AssertSummary(fx, "grad." + param.Name, graph.Read(grad));
        foreach (var t in model.Graph.ReferencedTensors().Where(t => t.Kind is TensorKind.Parameter or TensorKind.RunningStat))
            AssertSummary(fx, "updated." + t.Name, graph.Read(t));
    }

    /// <summary>Deterministic weights (k from PyTorch's state_dict order), the fixture's batch and lr 0.1.</summary>
    static void Load(CompiledGraph graph, Fixture fx, ResNetModel model)
    {
        int loaded = 0;
        foreach (var e in fx.Parameters.Where(e => e.K >= 0))
        {
            Assert.True(model.Graph.TryGetTensor(e.Name, out var t), $"the VkResNet model has no tensor {e.Name}");
            Assert.Equal(e.Shape, t.Shape.Dims.ToArray());
            graph.Write(t, DeterministicInit.Parameter(e.Name, e.Shape, e.K));
            loaded++;
        }
        Assert.Equal(model.Graph.ReferencedTensors().Count(t => t.Kind is TensorKind.Parameter or TensorKind.RunningStat), loaded);
        var input = fx.File.ReadFloat32("input");
        input.CopyTo(graph.Input(model.Input));
        var labels = fx.File.ReadFloat32("labels");
        for (int i = 0; i < labels.Length; i++) graph.Labels(model.Labels!)[i] = (int)labels[i];
        graph.Input(model.LearningRate!)[0] = 0.1f;
    }

    /// <summary>|a - e| &lt;= Rel * (|e| + scale), scale = the tensor's largest magnitude: relative per element, floored by the tensor's own size.</summary>
    static void AssertTensor(Fixture fx, string name, float[] actual, string what)
    {
        var expected = fx.Get(name);
        double scale = expected.Max(Math.Abs);
        Tolerance.AssertClose(expected, actual, Rel * scale + 1e-7, Rel, what);
    }

    /// <summary>ResNet-18 fixtures hold [sum, sum|x|, sum x^2, numel] and 64 samples per tensor.</summary>
    static void AssertSummary(Fixture fx, string name, float[] actual)
    {
        var stats = fx.Get("stats." + name);
        Assert.Equal((long)stats[3], actual.LongLength);
        double sumAbs = actual.Sum(v => Math.Abs((double)v)), sumSq = actual.Sum(v => (double)v * v);
        Assert.True(Math.Abs(sumAbs - stats[1]) <= Rel * stats[1] + 1e-9, $"{name}: sum|x| {sumAbs:G9}, PyTorch {stats[1]:G9}");
        Assert.True(Math.Abs(sumSq - stats[2]) <= 2 * Rel * stats[2] + 1e-12, $"{name}: sum x^2 {sumSq:G9}, PyTorch {stats[2]:G9}");
        var samples = fx.Get("sample." + name);
        var idx = DeterministicInit.SampleIndices(actual.LongLength);
        var picked = idx.Select(i => actual[i]).ToArray();
        double scale = samples.Max(Math.Abs);
        Tolerance.AssertClose(samples, picked, Rel * scale + 1e-7, Rel, $"{name} samples");
    }
}
