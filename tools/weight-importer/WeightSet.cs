namespace VkResNet.Importer;

/// <summary>An ordered set of named tensors: what a reader produces and what the writer stores.</summary>
public sealed class WeightSet
{
    private readonly List<WeightTensor> _tensors = [];
    private readonly Dictionary<string, WeightTensor> _byName = new(StringComparer.Ordinal);

    public IReadOnlyList<WeightTensor> Tensors => _tensors;
    public int Count => _tensors.Count;
    /// <summary>Facts a reader wants the user to know (BN folded, eps adjusted, ...), printed by the CLI.</summary>
    public List<string> Notes { get; } = [];
    /// <summary>String metadata carried into the output file's <c>__metadata__</c>.</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    public bool Contains(string name) => _byName.ContainsKey(name);
    public WeightTensor this[string name] => _byName[name];
    public bool TryGet(string name, out WeightTensor tensor) => _byName.TryGetValue(name, out tensor!);

    public void Add(WeightTensor t)
    {
        if (!_byName.TryAdd(t.Name, t)) throw new ImportException($"tensor '{t.Name}' appears twice in the source");
        _tensors.Add(t);
    }
}
