using System.Text;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Models;

/// <summary>One stage of a model summary: its output shape, trainable parameters and multiply-adds per image.</summary>
public sealed record StageSummary(string Stage, TensorShape? OutputShape, long Parameters, long MacsPerImage);

/// <summary>Per-stage output shapes, parameter counts and multiply-adds (conv and linear MACs per image).</summary>
public sealed record ModelSummary(string Name, IReadOnlyList<StageSummary> Stages)
{
    public long Parameters => Stages.Sum(s => s.Parameters);
    public long MacsPerImage => Stages.Sum(s => s.MacsPerImage);

    /// <summary>Summary of a spec, from its unoptimised batch-1 inference graph (BN params count, as in torchvision).</summary>
    public static ModelSummary Of(ResNetSpec spec)
    {
        var model = ResNetBuilder.Build(spec, 1, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: false));
        return Of(model.Graph, spec.Name, model.Input.Shape.N);
    }

    /// <summary>Summary of the forward ops of any graph; MACs divided by the batch size.</summary>
    public static ModelSummary Of(FrameGraph graph, string name, int batch)
    {
        var stages = new List<StageSummary>();
        var seen = new HashSet<Tensor>();
        foreach (var group in graph.Ops.Where(o => o.Phase == OpPhase.Forward).GroupBy(o => o.Stage))
        {
            long parameters = 0;
            foreach (var t in group.SelectMany(o => o.Inputs).Where(t => t.Kind == TensorKind.Parameter))
                if (seen.Add(t))
                    parameters += t.Shape.ElementCount;
            TensorShape? shape = graph.TryGetTensor(group.Key, out var output) ? output.Shape : group.Last().Outputs.First().Shape;
            stages.Add(new StageSummary(group.Key, shape, parameters, group.Sum(o => o.Macs) / batch));
        }
        return new ModelSummary(name, stages);
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{Name}");
        sb.AppendLine($"{"stage",-10} {"output",-22} {"params",14} {"MACs/image",16}");
        foreach (var s in Stages)
            sb.AppendLine($"{s.Stage,-10} {s.OutputShape?.ToString() ?? "-",-22} {s.Parameters,14:N0} {s.MacsPerImage,16:N0}");
        sb.Append($"{"total",-10} {"",-22} {Parameters,14:N0} {MacsPerImage,16:N0}");
        return sb.ToString();
    }
}
