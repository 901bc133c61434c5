using VkResNet.Graph.Execution;
using VkResNet.Graph.IO;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;

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
        foreach (var (t, data) in Match(graph.Graph, checkpoint, withOptimizer, source)) graph.Write(t, data);
    }

    /// <summary>Throws the error <see cref="Restore"/> would, without a device: run it before compiling, so a checkpoint of another architecture fails clearly and early.</summary>
    public static void Check(FrameGraph graph, Checkpoint checkpoint, bool withOptimizer, string source) => Match(graph, checkpoint, withOptimizer, source);

    static List<(Tensor, float[])> Match(FrameGraph graph, Checkpoint checkpoint, bool withOptimizer, string source)
    {
        checkpoint = WithFolds(graph, checkpoint, source);
        var problems = new List<string>();
        var writes = new List<(Tensor, float[])>();
        foreach (var t in graph.ReferencedTensors())
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
        return writes;
    }

    /// <summary>Adds the folded conv weights and biases an optimised inference graph reads (BN folded on the host, in double).</summary>
    static Checkpoint WithFolds(FrameGraph graph, Checkpoint checkpoint, string source)
    {
        if (graph.Folds.Count == 0) return checkpoint;
        var extra = new List<NamedTensor>(checkpoint.Parameters);
        foreach (var f in graph.Folds)
        {
            float[] Need(string name) => checkpoint.FindParameter(name)?.Data
                ?? throw new InvalidDataException($"{source} does not fit model {checkpoint.ModelName}: missing {name} (needed to fold {f.Gamma} into {f.ConvWeight}).");
            var convWeight = checkpoint.FindParameter(f.ConvWeight)
                ?? throw new InvalidDataException($"{source} does not fit model {checkpoint.ModelName}: missing {f.ConvWeight}.");
            var (w, b) = Optimize.BatchNormFolding.Fold(convWeight.Data, f.ConvBias is null ? [] : Need(f.ConvBias),
                Need(f.Gamma), Need(f.Beta), Need(f.RunningMean), Need(f.RunningVar), f.Eps);
            extra.Add(new NamedTensor(f.FoldedWeight, convWeight.Shape, w));
            extra.Add(new NamedTensor(f.FoldedBias, [b.Length], b));
        }
        return new Checkpoint
        {
            ModelName = checkpoint.ModelName, Epoch = checkpoint.Epoch, Step = checkpoint.Step, Seed = checkpoint.Seed,
            Parameters = extra, OptimizerState = checkpoint.OptimizerState, Metadata = checkpoint.Metadata,
        };
    }
}
