using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Checking;

/// <summary>
/// What an op's double-precision reference (<see cref="Op.Reference"/>) reads and writes: one span of doubles per
/// tensor, int32 tensors (labels, argmax indices) holding their integer values. <see cref="PlanInterpreter"/> maps
/// tensors to their planned offsets in one arena; <see cref="TensorValues"/> gives each tensor its own array.
/// </summary>
public abstract class ReferenceContext
{
    public abstract Span<double> this[Tensor t] { get; }
}

/// <summary>
/// Each tensor in its own array, made zero on first use: runs one op's reference outside a plan (tests, fixtures).
/// </summary>
public sealed class TensorValues : ReferenceContext
{
    readonly Dictionary<Tensor, double[]> values = [];

    public override Span<double> this[Tensor t] => Get(t);

    /// <summary>The tensor's array (zeros when nothing was set or written yet).</summary>
    public double[] Get(Tensor t)
    {
        if (!values.TryGetValue(t, out var a))
            values[t] = a = new double[t.Shape.ElementCount];
        return a;
    }

    /// <summary>Copies <paramref name="data"/> in as the tensor's values (length must match).</summary>
    public void Set(Tensor t, ReadOnlySpan<double> data)
    {
        if (data.Length != t.Shape.ElementCount)
            throw new ArgumentException($"'{t.Name}' has {t.Shape.ElementCount} elements {t.Shape}; {data.Length} were given.");
        data.CopyTo(Get(t));
    }
}
