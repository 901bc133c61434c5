using VkResNet.Graph.Compiler;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Models;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Tests.Interpreter;
using VkResNet.Graph.Tests.Models;
using VkResNet.Runtime;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Execution;

/// <summary>
/// One recorded training step of a tiny ResNet on the device (every kernel variant forced in turn) against
/// the CPU double-precision interpreter of the same graph: loss, every parameter gradient and the updated
/// running statistics. With synchronization validation on, a missing barrier fails the test too.
/// </summary>
public class TrainingStepGpuTests(GpuFixture gpu) : GpuTest(gpu)
{
    [Theory]
    [InlineData("basic-A", false, KernelVariant.Cpu)]
    [InlineData("basic-A", false, KernelVariant.Gpu)]
    [InlineData("basic-A", true, KernelVariant.Cpu)]
    [InlineData("bottleneck-B", false, KernelVariant.Cpu)]
    [InlineData("bottleneck-B", false, KernelVariant.Gpu)]
    [InlineData("basic-C", false, KernelVariant.Cpu)]
    public void StepMatchesTheCpuInterpreter(string tiny, bool fuse, KernelVariant variant)
    {
        var model = ResNetBuilder.Build(TinyModels.Get(tiny), 3, ResNetMode.Train, new ResNetBuildOptions(0.1f, FuseBnAddRelu: fuse));
        var reference = new PlanInterpreter(model.Graph, Compiler.GraphCompiler.Plan(model.Graph));
        ModelData.Fill(reference, model, seed: 21);
        foreach (var t in model.Graph.ReferencedTensors().Where(t => !t.IsTransient))
        {
            var v = reference[t]; // the device sees float32 values: give the reference the same ones
            for (int i = 0; i < v.Length; i++) v[i] = (float)v[i];
        }

        using var step = CompiledGraph.Compile(Device, model.Graph, new CompileOptions { Variant = variant });
        foreach (var t in model.Graph.ReferencedTensors())
        {
            switch (t.Kind)
            {
                case TensorKind.Parameter or TensorKind.RunningStat or TensorKind.OptimizerState:
                    step.Write(t, Floats(reference[t]));
                    break;
                case TensorKind.Input:
                    Floats(reference[t]).CopyTo(step.Input(t));
                    break;
                case TensorKind.Label:
                    Array.ConvertAll(reference[t].ToArray(), v => (int)v).CopyTo(step.Labels(t));
                    break;
            }
        }
        step.Input(model.LearningRate!)[0] = 0f; // SGD runs but leaves the weights as they were
        step.Run();
        reference.Run(optimizer: false);

        var mismatches = new List<string>();
        void Compare(string what, ReadOnlySpan<double> expected, ReadOnlySpan<float> got, double atol, double rtol)
        {
            for (int i = 0; i < expected.Length; i++)
                if (!(Math.Abs(got[i] - expected[i]) <= atol + rtol * Math.Abs(expected[i])))
                    mismatches.Add($"{what}[{i}]: device {got[i]:G7}, reference {expected[i]:G7}");
        }
        Compare("loss", reference[model.Loss!][..1], step.Output(model.Loss!)[..1], 1e-5, 1e-4);
        Tolerance.AssertCounts(reference[model.Loss!][1..], step.Output(model.Loss!)[1..], $"{tiny} fused={fuse} variant={variant}: correct count");
        foreach (var (p, g) in model.Gradients)
            Compare(g.Name, reference[g], step.Read(g), 2e-4, 2e-3);
        foreach (var t in model.Graph.ReferencedTensors().Where(t => t.Kind == TensorKind.RunningStat))
            Compare(t.Name, reference[t], step.Read(t), 1e-5, 1e-4);
        Assert.True(mismatches.Count == 0,
            $"{tiny} fused={fuse} variant={variant}: {mismatches.Count} mismatches\n{string.Join("\n", mismatches.Take(12))}");
    }

    static float[] Floats(ReadOnlySpan<double> v)
    {
        var f = new float[v.Length];
        for (int i = 0; i < f.Length; i++) f[i] = (float)v[i];
        return f;
    }
}
