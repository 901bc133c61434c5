using VkResNet.Graph.Execution;
using VkResNet.Graph.IO;
using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Training;

/// <summary>Moves a model's persistent tensors between a compiled graph and a checkpoint, by name, checking shapes.</summary>
public static class ModelState
{
    const string MomentumSuffix = ".momentum_buffer";

    /// <summary>Parameters and running statistics; momentum buffers as optimizer state.</summary>
    public static Checkpoint Capture(CompiledGraph graph, string modelName, int epoch, long step, long seed, IReadOnlyDictionary<string, string> metadata)
    {
        var parameters = new List<NamedTensor>();
        var optimizer = new List<NamedTensor>();
        foreach (var t in graph.Graph.ReferencedTensors())
        {
            if (t.Kind is TensorKind.Parameter or TensorKind.RunningStat)
                parameters.Add(new NamedTensor(t.Name, t.Shape.Dims.ToArray(), graph.Read(t)));
            else if (t.Kind == TensorKind.OptimizerState && t.Name.EndsWith(MomentumSuffix, StringComparison.Ordinal))
                optimizer.Add(new NamedTensor(Checkpoint.MomentumName(t.Name[..^MomentumSuffix.Length]), t.Shape.Dims.ToArray(), graph.Read(t)));
        }
        return new Checkpoint { ModelName = modelName, Epoch = epoch, Step = step, Seed = seed, Parameters = parameters, OptimizerState = optimizer, Metadata = metadata };
    }

    /// <summary>
    /// Writes a checkpoint's tensors into the graph. Every parameter and running statistic the graph
    /// uses must be present with the right shape; all mismatches are listed in one error.
    /// </summary>
    public static void Restore(CompiledGraph graph, Checkpoint checkpoint, bool withOptimizer, string source)
    {
        var problems = new List<string>();
        var writes = new List<(Tensor, float[])>();
        foreach (var t in graph.Graph.ReferencedTensors())
        {
            NamedTensor? found = t.Kind switch
            {
                TensorKind.Parameter or TensorKind.RunningStat => checkpoint.FindParameter(t.Name),
                TensorKind.OptimizerState when withOptimizer && t.Name.EndsWith(MomentumSuffix, StringComparison.Ordinal) =>
                    checkpoint.FindOptimizerState(Checkpoint.MomentumName(t.Name[..^MomentumSuffix.Length])),
                _ => null,
            };
            bool needed = t.Kind is TensorKind.Parameter or TensorKind.RunningStat || withOptimizer && t.Kind == TensorKind.OptimizerState;
            if (!needed) continue;
            if (found is null) { problems.Add($"missing {t.Name} {t.Shape}"); continue; }
            if (!found.Shape.SequenceEqual(t.Shape.Dims.ToArray()))
            {
                problems.Add($"{t.Name}: file has [{string.Join("x", found.Shape)}], model needs {t.Shape}");
                continue;
            }
            writes.Add((t, found.Data));
        }
        if (problems.Count > 0)
            throw new InvalidDataException($"{source} does not fit model {checkpoint.ModelName}: {problems.Count} problem(s):\n  " + string.Join("\n  ", problems.Take(20)));
        foreach (var (t, data) in writes) graph.Write(t, data);
    }
}
