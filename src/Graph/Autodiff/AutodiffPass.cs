using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Autodiff;

/// <summary>Reverse-mode differentiation of a graph from its scalar loss.</summary>
public static class AutodiffPass
{
    /// <summary>
    /// Appends, in reverse program order, the backward ops of every forward op that lies between a
    /// parameter and the loss op that writes <paramref name="loss"/>. Returns each parameter's gradient.
    /// </summary>
    public static IReadOnlyDictionary<Tensor, Tensor> AppendBackward(GraphBuilder builder, Tensor loss)
    {
        var graph = builder.Graph;
        var root = graph.Writers(loss).SingleOrDefault()
            ?? throw new ArgumentException($"No single op writes the loss tensor '{loss.Name}'.");
        var forward = graph.Ops.TakeWhile(o => o != root).Append(root).Where(o => o.Phase == OpPhase.Forward).ToList();

        // Forward sweep: a tensor needs a gradient when a parameter reaches it.
        var needsGrad = new HashSet<Tensor>(graph.Parameters);
        foreach (var op in forward)
            if (op.Inputs.Any(needsGrad.Contains))
                foreach (var o in op.Outputs)
                    if (o.Kind.IsTransient() || o == loss)
                        needsGrad.Add(o);

        // Backward sweep: only ops whose outputs reach the loss contribute.
        var reachesLoss = new HashSet<Tensor> { loss };
        var ctx = new BackwardContext(builder, needsGrad);
        var savedPhase = builder.Phase;
        builder.Phase = OpPhase.Backward;
        try
        {
            for (int i = forward.Count - 1; i >= 0; i--)
            {
                var op = forward[i];
                if (!op.Outputs.Any(reachesLoss.Contains) || !op.Inputs.Any(needsGrad.Contains))
                    continue;
                // An op without a backward rule throws from Backward with its own reason (e.g. BN in inference mode).
                foreach (var t in op.Inputs)
                    reachesLoss.Add(t);
                ctx.Current = op;
                op.Backward(ctx);
            }
        }
        finally
        {
            builder.Phase = savedPhase;
        }

        var result = new Dictionary<Tensor, Tensor>();
        foreach (var p in graph.Parameters)
            if (ctx.GradOf(p) is { } g)
                result[p] = g;
        return result;
    }
}
