using VkResNet.Graph.Ir;
using VkResNet.Graph.Models;
using VkResNet.Graph.Ops;
using VkResNet.Graph.Optimize;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Tests.Interpreter;
using VkResNet.Graph.Tests.Models;
using Xunit;

namespace VkResNet.Graph.Tests.Optimize;

public class InferenceOptimizerTests
{
    [Theory]
    [InlineData("basic-A", 5, 2)]
    [InlineData("bottleneck-B", 9, 2)]
    [InlineData("basic-C", 7, 2)]
    [InlineData("plain", 5, 0)]
    public void FoldedAndFusedGraphComputesTheSameLogits(string tiny, int fusedConvs, int withResidual)
    {
        var spec = TinyModels.Get(tiny);
        var reference = ResNetBuilder.Build(spec, 3, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: false));
        var optimized = ResNetBuilder.Build(spec, 3, ResNetMode.Infer);

        var fused = optimized.Graph.Ops.OfType<ConvBiasReluAddOp>().ToList();
        Assert.Equal(fusedConvs, fused.Count);
        Assert.Equal(withResidual, fused.Count(c => c.Residual is not null));
        Assert.DoesNotContain(optimized.Graph.Ops, o => o is BatchNormOp or ReluOp or AddOp or Conv2dOp);

        var refPlan = Compiler.GraphCompiler.Plan(reference.Graph);
        var refRun = new PlanInterpreter(reference.Graph, refPlan);
        ModelData.Fill(refRun, reference, seed: 5);
        refRun.Run();

        var optRun = new PlanInterpreter(optimized.Graph, Compiler.GraphCompiler.Plan(optimized.Graph));
        float[] F(string name) => refRun[name].ToArray().Select(v => (float)v).ToArray();
        foreach (var t in optimized.Graph.ReferencedTensors().Where(t => t.Kind is TensorKind.Parameter or TensorKind.Input))
            if (reference.Graph.TryGetTensor(t.Name, out _))
                refRun[t.Name].CopyTo(optRun[t]);
        foreach (var f in optimized.Graph.Folds)
        {
            var (w, b) = BatchNormFolding.Fold(F(f.ConvWeight), f.ConvBias is null ? [] : F(f.ConvBias),
                                               F(f.Gamma), F(f.Beta), F(f.RunningMean), F(f.RunningVar), f.Eps);
            for (int i = 0; i < w.Length; i++) optRun[f.FoldedWeight][i] = w[i];
            for (int i = 0; i < b.Length; i++) optRun[f.FoldedBias][i] = b[i];
        }
        optRun.Run();

        var expected = refRun["logits"].ToArray();
        var got = optRun["logits"].ToArray();
        var bad = Enumerable.Range(0, expected.Length).Where(i => Math.Abs(got[i] - expected[i]) > 1e-4 + 1e-4 * Math.Abs(expected[i]))
                            .Select(i => $"logits[{i}]: folded {got[i]:G7}, reference {expected[i]:G7}").ToList();
        Assert.True(bad.Count == 0, $"{tiny}: {bad.Count} of {expected.Length} logits differ\n{string.Join("\n", bad.Take(10))}");
    }

    [Fact]
    public void FoldArithmeticMatchesTheDefinition()
    {
        // bn(conv(x) + b) per output channel o: gamma*(w.x + b - mean)/sqrt(var+eps) + beta.
        float[] w = [1, 2, 3, 4, 5, 6], b = [0.5f, -1], gamma = [2, 1], beta = [0.1f, 0.2f], mean = [1, -1], var = [4, 0.25f];
        var (fw, fb) = BatchNormFolding.Fold(w, b, gamma, beta, mean, var, eps: 0); // scales s = [2/2, 1/0.5] = [1, 2]
        Assert.Equal([1, 2, 3, 8, 10, 12], fw);
        Assert.Equal((0.5 - 1) * 1 + 0.1, fb[0], 6);
        Assert.Equal((-1 - -1) * 2 + 0.2, fb[1], 6);
        var (fw2, _) = BatchNormFolding.Fold(w, [], [3, 3], [0, 0], [0, 0], [1, 1], eps: 0);
        Assert.Equal([3, 6, 9, 12, 15, 18], fw2);
    }
}
