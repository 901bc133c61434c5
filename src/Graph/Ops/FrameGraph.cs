using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Ops;

/// <summary>
/// The graph: tensors and ops in declaration order (which is always a valid sequential program).
/// Why it lives in Ops/ and not Ir/: it holds <see cref="Op"/>s, and an op's hooks name the rooms that use it (Record
/// takes the recorder's context, Backward autodiff's, Reference the checker's, ScratchBytes the kernel choices). An
/// Ir-level graph would need a second, hook-free op type beside Op, one more concept for every reader. So Ir/ is the
/// tensor vocabulary alone (Tensor, TensorShape, TensorKind, TensorUsage, ParameterInit) and depends on nothing else in
/// Graph; Op, FrameGraph and GraphBuilder sit with the ops they hold, and each op file extends the builder itself.
/// Built by <see cref="GraphBuilder"/>, extended by autodiff, rewritten by the inference passes.
/// </summary>
public sealed class FrameGraph
{
    readonly List<Tensor> tensors = [];
    readonly List<Op> ops = [];
    readonly Dictionary<string, Tensor> tensorsByName = new(StringComparer.Ordinal);
    readonly HashSet<string> opNames = new(StringComparer.Ordinal);

    public IReadOnlyList<Tensor> Tensors => tensors;
    public IReadOnlyList<Op> Ops => ops;

    /// <summary>Host-side derivations of folded parameters (BN folded into conv), applied at load time.</summary>
    public List<Optimize.FoldedConvParameters> Folds { get; } = [];

    public Tensor this[string name] => tensorsByName.TryGetValue(name, out var t)
        ? t : throw new KeyNotFoundException($"No tensor named '{name}' in the graph.");
    public Tensor this[TensorId id] => tensors[id.Index];
    public bool TryGetTensor(string name, out Tensor tensor) => tensorsByName.TryGetValue(name, out tensor!);

    internal Tensor NewTensor(string name, TensorShape shape, TensorKind kind, ElementType type, ParameterInit init)
    {
        if (!tensorsByName.TryAdd(name, null!))
            throw new ArgumentException($"A tensor named '{name}' already exists.");
        var t = new Tensor(new TensorId(tensors.Count), name, shape, kind, type, init);
        tensors.Add(t);
        tensorsByName[name] = t;
        return t;
    }

    /// <summary>A name not used yet by a tensor: the name itself, else name#2, name#3...</summary>
    internal string UniqueTensorName(string name)
    {
        if (!tensorsByName.ContainsKey(name))
            return name;
        for (int i = 2; ; i++)
            if (!tensorsByName.ContainsKey($"{name}#{i}"))
                return $"{name}#{i}";
    }

    internal string UniqueOpName(string name)
    {
        if (!opNames.Contains(name))
            return name;
        for (int i = 2; ; i++)
            if (!opNames.Contains($"{name}#{i}"))
                return $"{name}#{i}";
    }

    internal void AddOp(Op op)
    {
        if (!opNames.Add(op.Name))
            throw new ArgumentException($"An op named '{op.Name}' already exists.");
        ops.Add(op);
    }

    /// <summary>Replaces a chain of ops by one op at the position of the last (inference rewrites): every
    /// input of the chain is written before that point and only the chain read its intermediates.</summary>
    internal void ReplaceOps(IReadOnlyCollection<Op> removed, Op replacement)
    {
        int last = ops.FindLastIndex(removed.Contains);
        if (last < 0)
            throw new InvalidOperationException("ReplaceOps: none of the ops is in the graph.");
        int at = last - ops.Take(last).Count(removed.Contains);
        foreach (var op in removed)
            opNames.Remove(op.Name);
        ops.RemoveAll(removed.Contains);
        if (!opNames.Add(replacement.Name))
            throw new ArgumentException($"An op named '{replacement.Name}' already exists.");
        ops.Insert(at, replacement);
    }

    /// <summary>Ops that read the tensor, in program order.</summary>
    public IEnumerable<Op> Readers(Tensor t) => ops.Where(o => o.Accesses.Any(a => a.Tensor == t && a.Reads));

    /// <summary>Ops that write the tensor, in program order.</summary>
    public IEnumerable<Op> Writers(Tensor t) => ops.Where(o => o.Accesses.Any(a => a.Tensor == t && a.Writes));

    /// <summary>Tensors some op touches (unreferenced ones, e.g. BN params after folding, are not allocated).</summary>
    public IEnumerable<Tensor> ReferencedTensors() =>
        ops.SelectMany(o => o.Accesses).Select(a => a.Tensor).Distinct().OrderBy(t => t.Id.Index);

    public IEnumerable<Tensor> Parameters => ReferencedTensors().Where(t => t.Kind == TensorKind.Parameter);
}
