namespace VkResNet.Graph.Ir;

/// <summary>Dimensions of a tensor, outermost first (NCHW for activations, PyTorch layouts for parameters).</summary>
public readonly struct TensorShape : IEquatable<TensorShape>
{
    readonly int[]? dims;

    public TensorShape(params int[] dims)
    {
        if (dims.Length == 0)
            throw new ArgumentException("A tensor shape needs at least one dimension.");
        foreach (int d in dims)
            if (d <= 0)
                throw new ArgumentException($"Every dimension must be positive: [{string.Join(", ", dims)}]");
        this.dims = (int[])dims.Clone();
    }

    public static TensorShape Nchw(int n, int c, int h, int w) => new(n, c, h, w);

    public int Rank => Dims.Length;
    public ReadOnlySpan<int> Dims => dims ?? [];
    public int this[int axis] => Dims[axis];

    // NCHW accessors; only meaningful on rank-4 activations.
    public int N => dims![0];
    public int C => dims![1];
    public int H => dims![2];
    public int W => dims![3];

    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (int d in Dims)
                n *= d;
            return n;
        }
    }

    /// <summary>Bytes of a float32/int32 tensor of this shape (every element type here is 4 bytes).</summary>
    public long Bytes => ElementCount * 4;

    /// <summary>Bytes rounded up to 16, the allocation unit texel-buffer views require.</summary>
    public long AlignedBytes => AlignUp(Bytes, 16);

    public static long AlignUp(long value, long alignment) => (value + alignment - 1) / alignment * alignment;

    public bool Equals(TensorShape other) => Dims.SequenceEqual(other.Dims);
    public override bool Equals(object? obj) => obj is TensorShape s && Equals(s);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in Dims)
            h.Add(d);
        return h.ToHashCode();
    }
    public static bool operator ==(TensorShape a, TensorShape b) => a.Equals(b);
    public static bool operator !=(TensorShape a, TensorShape b) => !a.Equals(b);

    public override string ToString() => "[" + string.Join("x", Dims.ToArray()) + "]";
}
