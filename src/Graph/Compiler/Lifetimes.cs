using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Compiler;

/// <summary>First and last pass (indices into the order) that touch a transient tensor, inclusive.</summary>
public readonly record struct Lifetime(int First, int Last)
{
    public bool Overlaps(Lifetime o) => First <= o.Last && o.First <= Last;
}

/// <summary>Phase 3: lifetimes of the transient tensors over the ordered passes.</summary>
public static class Lifetimes
{
    public static Dictionary<Tensor, Lifetime> Run(IReadOnlyList<Op> order)
    {
        var result = new Dictionary<Tensor, Lifetime>();
        for (int i = 0; i < order.Count; i++)
            foreach (var a in order[i].Accesses)
            {
                if (!a.Tensor.IsTransient)
                    continue;
                if (result.TryGetValue(a.Tensor, out var l))
                    result[a.Tensor] = l with { Last = i };
                else if (a.Usage == TensorUsage.Write)
                    result[a.Tensor] = new Lifetime(i, i);
                else
                    throw new InvalidOperationException($"Transient tensor '{a.Tensor.Name}' is read by {order[i]} before any pass writes it.");
            }
        return result;
    }
}
