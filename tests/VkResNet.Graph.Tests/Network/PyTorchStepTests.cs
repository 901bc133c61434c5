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
/// activations (ResNet-20), every parameter gradient, every updated weight and the BN running statistics compared in full.
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

    /// <summary>
    /// Every named tensor of the ResNet-18 step in full: the loss, the logits, every parameter gradient, every
    /// parameter after the SGD step and every BN running statistic. The 90 MB fixture is made on first use
    /// (tests/fixtures/generated, git-ignored) by make_fixtures.py --resnet18-full from Debian's PyTorch.
    /// </summary>
    [Fact]
    public void ResNet18_training_step_matches_PyTorch_per_named_tensor()
    {
        var fx = ResNet18Full.Load();
        var spec = ResNetSpec.ResNet18(10).WithInput(3, 64, 64);
        var model = ResNetBuilder.Build(spec, 2, ResNetMode.Train, new ResNetBuildOptions(Sgd: new SgdOptions(0.9f, 1e-4f)));
        model.Graph["logits"].Kind = TensorKind.Output;
        using var graph = CompiledGraph.Compile(Device, model.Graph);
        Load(graph, fx, model);
        graph.Run();

        AssertTensor(fx, "loss", graph.Output(model.Loss!)[..1].ToArray(), "loss");
        AssertTensor(fx, "logits", graph.Output(model.Logits).ToArray(), "logits");
        var compared = new HashSet<string>();
        foreach (var (param, grad) in model.Gradients)
        {
            AssertTensor(fx, "grad." + param.Name, graph.Read(grad), "grad." + param.Name);
            compared.Add("grad." + param.Name);
        }
        foreach (var t in model.Graph.ReferencedTensors().Where(t => t.Kind is TensorKind.Parameter or TensorKind.RunningStat))
        {
            AssertTensor(fx, "updated." + t.Name, graph.Read(t), "updated." + t.Name);
            compared.Add("updated." + t.Name);
        }
        // Nothing in the fixture is left out: 62 parameter gradients, 62 parameters + 40 running stats updated.
        var named = fx.File.Tensors.Select(t => t.Name).Where(n => n.StartsWith("grad.") || n.StartsWith("updated.")).ToHashSet();
        Assert.True(named.SetEquals(compared), $"not compared: {string.Join(", ", named.Except(compared))}; not in the fixture: {string.Join(", ", compared.Except(named))}");
        Assert.Equal(62 + 62 + 40, compared.Count);
    }

    /// <summary>tests/fixtures/generated/resnet18_step_full.safetensors, made once if missing or of another format.</summary>
    static class ResNet18Full
    {
        const string Format = "vkresnet-reference-fixture full v1";   // make_fixtures.py FULL_FORMAT
        static readonly Lazy<string> made = new(Make, LazyThreadSafetyMode.ExecutionAndPublication);

        public static Fixture Load() => Fixture.LoadPath(made.Value);

        static string Make()
        {
            string path = Path.Combine(Fixture.Folder, "generated", "resnet18_step_full.safetensors");
            if (File.Exists(path) && Fixture.LoadPath(path).File.Metadata.GetValueOrDefault("format") == Format)
                return path;
            string root = Path.GetDirectoryName(Path.GetDirectoryName(Fixture.Folder))!;
            var (exit, output) = TorchOps.TorchScripts.RunPython(root, "tests/reference/make_fixtures.py", "--resnet18-full", path);
            Assert.True(exit == 0 && File.Exists(path), $"making {path} failed (exit {exit}): {output}\nMake it with: /usr/bin/python3 tests/reference/make_fixtures.py --resnet18-full {path}");
            return path;
        }
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
}
