using VkResNet.Graph.Checking;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Models;
using VkResNet.Graph.Ops;
using VkResNet.Importer.ResNet;
using VkResNet.Importer.Verify;

namespace VkResNet.Importer.Tests;

/// <summary>
/// The --verify runner of the tests, on the CPU: builds the same Graph ResNet that <see cref="VkResNetGpuRunner"/> runs
/// and executes it with the ops' own double-precision references (<see cref="PlanInterpreter"/>), one sample per
/// interpreter in parallel. With BN tensors in the file the graph keeps its inference-mode BN ops (eval-mode
/// semantics, nothing folded); in the --bn conv-bias layout it is the BN-folded graph, whose folded conv weight and
/// bias are exactly the file's conv weight and bias. It checks imported weights against PyTorch's logits.
/// </summary>
public sealed class GraphReferenceRunner : IReferenceModelRunner
{
    public float[] RunLogits(ResNetSpec arch, WeightSet weights, float[] input, long[] inputShape)
    {
        int n = (int)inputShape[0], c = (int)inputShape[1], h = (int)inputShape[2], w = (int)inputShape[3];
        int classes = (int)weights["fc.bias"].Shape[0];
        bool batchNorm = weights.TryGet("bn1.weight", out _);
        var spec = (arch with { Classes = classes }).WithInput(c, h, w);
        var model = ResNetBuilder.Build(spec, 1, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: !batchNorm));
        var plan = GraphCompiler.Plan(model.Graph);
        var source = SourceNames(model.Graph);
        var logits = new float[n * classes];
        int sample = c * h * w;
        Parallel.For(0, n, () => Load(model.Graph, plan, weights, source), (s, _, interp) =>
        {
            var x = interp[model.Input];
            for (int i = 0; i < sample; i++) x[i] = input[s * sample + i];
            interp.Run();
            var y = interp[model.Logits];
            for (int k = 0; k < classes; k++) logits[s * classes + k] = (float)y[k];
            return interp;
        }, _ => { });
        return logits;
    }

    /// <summary>Graph tensor name -> the file's tensor name: itself, except a folded conv's weight and bias.</summary>
    private static Dictionary<string, string> SourceNames(FrameGraph graph)
    {
        var names = new Dictionary<string, string>();
        foreach (var f in graph.Folds)
        {
            names[f.FoldedWeight] = f.ConvWeight;
            names[f.FoldedBias] = f.ConvBias ?? f.ConvWeight[..^".weight".Length] + ".bias";
        }
        return names;
    }

    private static PlanInterpreter Load(FrameGraph graph, GraphPlan plan, WeightSet weights, Dictionary<string, string> source)
    {
        var interp = new PlanInterpreter(graph, plan);
        foreach (var t in graph.ReferencedTensors().Where(t => t.Kind is TensorKind.Parameter or TensorKind.RunningStat))
        {
            var data = weights[source.GetValueOrDefault(t.Name, t.Name)].Data;
            var dst = interp[t];
            if (data.Length != dst.Length)
                throw new InvalidDataException($"{t.Name}: the file has {data.Length} values, the model needs {t.Shape}.");
            for (int i = 0; i < data.Length; i++) dst[i] = data[i];
        }
        return interp;
    }
}
