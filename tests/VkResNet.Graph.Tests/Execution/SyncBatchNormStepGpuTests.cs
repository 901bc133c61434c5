using VkResNet.Graph.Checking;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Models;
using VkResNet.Graph.Ops;
using VkResNet.Graph.Tests.Interpreter;
using VkResNet.Graph.Tests.Models;
using VkResNet.Runtime;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Execution;

/// <summary>
/// A tiny ResNet's training step built with SyncBatchNorm's split BN passes (one rank: the statistics of this batch)
/// against the same step with the one-pass BN ops, on the device: loss, every parameter gradient and the running
/// statistics agree (the split ops and their autodiff are a faithful batch norm before any rank is added).
/// </summary>
public class SyncBatchNormStepGpuTests(GpuFixture gpu) : GpuTest(gpu)
{
    [Theory]
    [InlineData("basic-A", false)]
    [InlineData("basic-A", true)]
    [InlineData("bottleneck-B", false)]
    public void Split_batch_norm_step_equals_the_one_pass_step(string tiny, bool fuse)
    {
        var plain = ResNetBuilder.Build(TinyModels.Get(tiny), 3, ResNetMode.Train, new ResNetBuildOptions(0.1f, FuseBnAddRelu: fuse));
        var split = ResNetBuilder.Build(TinyModels.Get(tiny), 3, ResNetMode.Train, new ResNetBuildOptions(0.1f, FuseBnAddRelu: fuse, SyncBatchNormRanks: 1));
        Assert.Contains(split.Graph.Ops, o => o is BatchNormApplyOp);
        Assert.Contains(split.Graph.Ops, o => o is BatchNormBackwardApplyOp);
        Assert.DoesNotContain(split.Graph.Ops, o => o is BatchNormOp or BnAddReluOp);
        if (fuse) Assert.Contains(split.Graph.Ops, o => o is BatchNormApplyOp { Residual: not null });
        var data = new PlanInterpreter(plain.Graph, Compiler.GraphCompiler.Plan(plain.Graph));
        ModelData.Fill(data, plain, seed: 23);

        float[] Values(Tensor t) => Array.ConvertAll(data[t].ToArray(), v => (float)v);
        using var a = CompiledGraph.Compile(Device, plain.Graph, new CompileOptions());
        using var b = CompiledGraph.Compile(Device, split.Graph, new CompileOptions());
        var byName = split.Graph.ReferencedTensors().ToDictionary(t => t.Name);
        foreach (var t in plain.Graph.ReferencedTensors())
        {
            switch (t.Kind)
            {
                case TensorKind.Parameter or TensorKind.RunningStat or TensorKind.OptimizerState:
                    a.Write(t, Values(t));
                    b.Write(byName[t.Name], Values(t));
                    break;
                case TensorKind.Input:
                    Values(t).CopyTo(a.Input(t));
                    Values(t).CopyTo(b.Input(byName[t.Name]));
                    break;
                case TensorKind.Label:
                    Array.ConvertAll(data[t].ToArray(), v => (int)v).CopyTo(a.Labels(t));
                    Array.ConvertAll(data[t].ToArray(), v => (int)v).CopyTo(b.Labels(byName[t.Name]));
                    break;
            }
        }
        a.Input(plain.LearningRate!)[0] = 0f; // SGD runs but leaves the weights as they were
        b.Input(split.LearningRate!)[0] = 0f;
        a.Run();
        b.Run();

        var mismatches = new List<string>();
        void Compare(string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> got, double atol, double rtol)
        {
            Assert.Equal(expected.Length, got.Length);
            for (int i = 0; i < expected.Length; i++)
                if (!(Math.Abs(got[i] - expected[i]) <= atol + rtol * Math.Abs(expected[i])))
                    mismatches.Add($"{what}[{i}]: split {got[i]:G7}, one-pass {expected[i]:G7}");
        }
        Compare("loss", a.Output(plain.Loss!)[..1], b.Output(split.Loss!)[..1], 1e-5, 1e-4);
        foreach (var (p, g) in plain.Gradients)
            Compare(g.Name, a.Read(g), b.Read(split.Gradients[byName[p.Name]]), 2e-4, 2e-3);
        int stats = 0;
        foreach (var t in plain.Graph.ReferencedTensors().Where(t => t.Kind == TensorKind.RunningStat))
        {
            Compare(t.Name, a.Read(t), b.Read(byName[t.Name]), 1e-5, 1e-4);
            stats++;
        }
        Assert.True(stats > 4, $"only {stats} running statistics compared");
        Assert.Equal(plain.Gradients.Count, split.Gradients.Count);
        Assert.True(mismatches.Count == 0, $"{tiny} fused={fuse}: {mismatches.Count} mismatches\n{string.Join("\n", mismatches.Take(12))}");
    }
}
