namespace VkResNet.Graph.Ir;

/// <summary>Index of a tensor in its <see cref="Graph"/>; a stable handle for plans and reports.</summary>
public readonly record struct TensorId(int Index)
{
    public override string ToString() => $"t{Index}";
}

/// <summary>A named, shaped buffer of the graph. The graph owns it; the plan decides where it lives.</summary>
public sealed class Tensor
{
    internal Tensor(TensorId id, string name, TensorShape shape, TensorKind kind, ElementType type, ParameterInit init)
    {
        Id = id;
        Name = name;
        Shape = shape;
        Kind = kind;
        ElementType = type;
        Init = init;
    }

    public TensorId Id { get; }
    public string Name { get; }
    public TensorShape Shape { get; }
    public TensorKind Kind { get; internal set; }
    public ElementType ElementType { get; }
    public ParameterInit Init { get; }

    /// <summary>For a gradient tensor: the tensor it is the gradient of.</summary>
    public Tensor? GradientOf { get; internal set; }

    public long Bytes => Shape.Bytes;
    public long AlignedBytes => Shape.AlignedBytes;
    public bool IsTransient => Kind.IsTransient();

    public override string ToString() => $"{Name}{Shape}:{Kind}";
}
