using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Models;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Tests.Interpreter;
using VkResNet.Graph.Tests.Models;
using Xunit;

namespace VkResNet.Graph.Tests.Autodiff;

/// <summary>
/// The autodiff graph, executed by the CPU interpreter at its planned (aliased) offsets, against central
/// finite differences of the loss, for every parameter tensor of tiny ResNets of each kind.
/// </summary>
public class AutodiffFiniteDifferenceTests
{
    [Theory]
    [InlineData("basic-A", false, 0.0f)]
    [InlineData("basic-A", true, 0.1f)]
    [InlineData("bottleneck-B", false, 0.1f)]
    [InlineData("basic-C", false, 0.0f)]
    [InlineData("plain", false, 0.0f)]
    public void ParameterGradientsMatchFiniteDifferences(string tiny, bool fuseBnAddRelu, float smoothing)
    {
        var model = ResNetBuilder.Build(TinyModels.Get(tiny), 3, ResNetMode.Train, new ResNetBuildOptions(smoothing, FuseBnAddRelu: fuseBnAddRelu));
        var plan = Compiler.GraphCompiler.Plan(model.Graph);
        var interp = new PlanInterpreter(model.Graph, plan);
        ModelData.Fill(interp, model, seed: 7);

        double Loss()
        {
            interp.Run(optimizer: false);
            return interp[model.Loss!][0];
        }
        Loss();
        var analytic = model.Gradients.ToDictionary(kv => kv.Key, kv => interp[kv.Value].ToArray());

        const double h = 1e-5, atol = 1e-6, rtol = 1e-4;
        var rng = new Random(11);
        var mismatches = new List<string>();
        int checkedCount = 0;
        foreach (var (param, grad) in analytic)
        {
            foreach (int i in Enumerable.Range(0, 5).Select(_ => rng.Next(grad.Length)).Distinct())
            {
                double saved = interp[param][i];
                interp[param][i] = saved + h;
                double up = Loss();
                interp[param][i] = saved - h;
                double down = Loss();
                interp[param][i] = saved;
                double fd = (up - down) / (2 * h);
                checkedCount++;
                if (Math.Abs(fd - grad[i]) > atol + rtol * Math.Abs(fd))
                    mismatches.Add($"{param.Name}[{i}]: autodiff {grad[i]:G9}, finite difference {fd:G9}");
            }
        }
        Assert.True(mismatches.Count == 0,
            $"{tiny} (fused {fuseBnAddRelu}, smoothing {smoothing}): {mismatches.Count} of {checkedCount} mismatches\n" + string.Join("\n", mismatches.Take(10)));
        Assert.True(analytic.Values.Sum(g => g.Sum(Math.Abs)) > 0, "gradients are all zero");
    }

    [Fact]
    public void SgdStepUpdatesEveryParameter()
    {
        var opts = new SgdOptions(Momentum: 0.9f, WeightDecay: 0.01f);
        var model = ResNetBuilder.Build(TinyModels.Get("basic-A"), 2, ResNetMode.Train, new ResNetBuildOptions(Sgd: opts));
        var plan = Compiler.GraphCompiler.Plan(model.Graph);
        var interp = new PlanInterpreter(model.Graph, plan);
        ModelData.Fill(interp, model, seed: 3);
        interp[model.LearningRate!][0] = 0.1;
        var before = model.Gradients.Keys.ToDictionary(p => p, p => interp[p].ToArray());
        interp.Run(optimizer: true);
        foreach (var (p, g) in model.Gradients)
        {
            var w0 = before[p]; var w1 = interp[p]; var grad = interp[g];
            // First step from zero momentum: v = g + wd*w, w -= lr * v (float32 weight decay in the op).
            for (int i = 0; i < w0.Length; i++)
                Assert.True(Math.Abs(w1[i] - (w0[i] - 0.1 * (grad[i] + opts.WeightDecay * w0[i]))) < 1e-12, $"{p.Name}[{i}]");
        }
    }
}
