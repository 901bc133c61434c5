namespace VkResNet.Importer;

/// <summary>The element type a tensor had in its source file; the importer widens every float type to float32.</summary>
public enum SourceDType { F32, F16, BF16, F64, I64, I32 }

/// <summary>One named tensor read from a source file, already in float32 and in PyTorch's layout.</summary>
public sealed record WeightTensor(string Name, long[] Shape, float[] Data, SourceDType SourceType)
{
    public long ElementCount => ShapeElements(Shape);
    public string ShapeText => FormatShape(Shape);
    public bool IsInteger => SourceType is SourceDType.I64 or SourceDType.I32;

    public static long ShapeElements(IReadOnlyList<long> shape)
    {
        long n = 1;
        foreach (long d in shape)
        {
            // Shapes come from the file: a negative or overflowing one is a corrupt input, not an arithmetic exception.
            if (d < 0) throw new ImportException($"shape {FormatShape(shape)} has a negative dimension; the file is corrupt");
            if (d != 0 && n > long.MaxValue / d) throw new ImportException($"shape {FormatShape(shape)} has more than 2^63 elements; the file is corrupt");
            n *= d;
        }
        return n;
    }

    public static string FormatShape(IReadOnlyList<long> shape) => "[" + string.Join(", ", shape) + "]";
}
