using VkResNet.Graph.Execution;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Models;
using VkResNet.Graph.Tests.Interpreter;
using VkResNet.Graph.Tests.Models;
using VkResNet.Runtime;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Execution;

/// <summary>
/// VKRESNET_CHECK (CompileOptions.Check): a checked Run compares every pass of a tiny ResNet's training step with
/// the CPU reference fed the device's own inputs, on both kernel variants; a planted wrong value is reported with
/// the pass that made it; graphs too large for a CPU check are refused up front; the result of a checked step
/// equals a plain one.
/// </summary>
public class NodeCheckTests(GpuFixture gpu) : GpuTest(gpu)
{
    static ResNetModel Tiny(string name) =>
        ResNetBuilder.Build(TinyModels.Get(name), 2, ResNetMode.Train, new ResNetBuildOptions(0.1f));

    static void Feed(CompiledGraph g, ResNetModel model, int seed)
    {
        var rng = new Random(seed);
        foreach (var t in model.Graph.ReferencedTensors())
        {
            switch (t.Kind)
            {
                case TensorKind.Parameter or TensorKind.RunningStat:
                    var v = new float[t.Shape.ElementCount];
                    for (int i = 0; i < v.Length; i++) v[i] = t.Init == ParameterInit.Ones ? 1 + 0.2f * (float)ModelData.Normal(rng) : 0.3f * (float)ModelData.Normal(rng);
                    g.Write(t, v);
                    break;
                case TensorKind.Input when t.Name == "input":
                    var x = g.Input(t);
                    for (int i = 0; i < x.Length; i++) x[i] = (float)ModelData.Normal(rng);
                    break;
                case TensorKind.Label:
                    var l = g.Labels(t);
                    for (int i = 0; i < l.Length; i++) l[i] = rng.Next(model.Spec.Classes);
                    break;
            }
        }
        g.Input(model.LearningRate!)[0] = 0.05f;
    }

    [Theory]
    [InlineData("basic-A", KernelVariant.Cpu)]
    [InlineData("basic-A", KernelVariant.Gpu)]
    [InlineData("bottleneck-B", KernelVariant.Cpu)]
    public void Every_pass_of_a_training_step_matches_the_cpu_reference(string tiny, KernelVariant variant)
    {
        var model = Tiny(tiny);
        using var checkedStep = CompiledGraph.Compile(Device, model.Graph, new CompileOptions { Variant = variant, Check = true });
        Assert.True(checkedStep.Checking);
        Feed(checkedStep, model, seed: 5);
        checkedStep.Run();   // throws NodeCheckException on the first pass off the reference
        checkedStep.Run();   // a second step starts from the first one's updated weights
        var report = checkedStep.LastCheck!;
        Assert.Equal(checkedStep.Plan.Passes.Count, report.Count);
        Assert.Contains(report, p => p.Type == "Conv2d" && p.MaxAbsError > 0);
        Assert.All(report, p => Assert.True(p.MaxRelError < 1, $"{p.Op}: {p.MaxRelError}"));

        using var plain = CompiledGraph.Compile(Device, model.Graph, new CompileOptions { Variant = variant, Check = false });
        Feed(plain, model, seed: 5);
        plain.Run();
        plain.Run();
        float expected = plain.Output(model.Loss!)[0], got = checkedStep.Output(model.Loss!)[0];
        Assert.True(Math.Abs(expected - got) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"loss {got} checked, {expected} plain");
    }

    [Fact]
    public void A_wrong_value_is_reported_with_the_pass_that_made_it()
    {
        var model = Tiny("basic-A");
        using var step = CompiledGraph.Compile(Device, model.Graph, new CompileOptions { Check = true });
        Feed(step, model, seed: 6);
        int target = step.Plan.Passes.ToList().FindIndex(p => p.Type == "BatchNormTrain");
        var op = step.Graph.Ops[step.Plan.Passes[target].OpIndex];
        step.AfterReferencePass = (pass, cpu) => { if (pass == target) cpu[op.Outputs.First()][3] += 0.5; };
        var e = Assert.Throws<NodeCheckException>(step.Run);
        Assert.Contains($"pass {target} ", e.Message);
        Assert.Contains(op.Name, e.Message);
        Assert.Contains("element 3", e.Message);
    }

    [Fact]
    public void A_graph_too_large_for_a_cpu_check_is_refused_when_compiled()
    {
        var model = ResNetBuilder.Build(ResNetSpec.ResNet18(), 8, ResNetMode.Train, new ResNetBuildOptions(0.1f));
        var e = Assert.Throws<NodeCheckException>(() => CompiledGraph.Compile(Device, model.Graph, new CompileOptions { Check = true }));
        Assert.Contains("VKRESNET_CHECK=1 checks small graphs only", e.Message);
        Assert.Contains("GFLOP", e.Message);
    }
}
