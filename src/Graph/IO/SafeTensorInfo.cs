namespace VkResNet.Graph.IO;

/// <summary>One tensor's header entry: its name, element type, shape and byte range within the data section.</summary>
public sealed record SafeTensorInfo(string Name, TensorDType DType, long[] Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);
    public long ByteLength => End - Begin;
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
