using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Autodiff;

/// <summary>
/// What an op's backward rule sees: the gradients of its outputs, which inputs need one, and a way to
/// hand back input gradients. Accumulation rule (one tensor, several consumers): the first contribution
/// becomes the gradient; a later one is summed by an explicit <see cref="AccumulateOp"/> (y += x in place)
/// when the current gradient tensor was created for this tensor alone, otherwise (it is shared, e.g. the
/// dy an Add handed to both inputs) by an <see cref="AddOp"/> into a fresh tensor, so a shared gradient
/// is never modified. Kernels therefore always overwrite their outputs; none needs an accumulate mode.
/// </summary>
public sealed class BackwardContext
{
    readonly Dictionary<Tensor, Tensor> grads = [];
    readonly HashSet<Tensor> needsGrad;
    int accumulations;

    internal BackwardContext(GraphBuilder builder, HashSet<Tensor> needsGrad)
    {
        Builder = builder;
        this.needsGrad = needsGrad;
    }

    public GraphBuilder Builder { get; }

    /// <summary>The forward op whose backward is being appended (its stage tags the new ops).</summary>
    internal Op? Current { get; set; }

    /// <summary>Gradient of a forward tensor so far (final once all its consumers' backwards ran); null if none.</summary>
    public Tensor? GradOf(Tensor t) => grads.GetValueOrDefault(t);

    /// <summary>True when the tensor depends on a parameter, so its gradient is worth computing.</summary>
    public bool NeedsGrad(Tensor t) => needsGrad.Contains(t);

    /// <summary>A new gradient tensor shaped like <paramref name="of"/>: persistent "{name}.grad" for a
    /// parameter, transient "{name}.grad" for an activation.</summary>
    public Tensor NewGrad(Tensor of)
    {
        var kind = of.Kind == TensorKind.Parameter ? TensorKind.ParameterGradient : TensorKind.ActivationGradient;
        var g = Builder.Graph.NewTensor(Builder.Graph.UniqueTensorName($"{of.Name}.grad"), of.Shape, kind, of.ElementType, ParameterInit.None);
        g.GradientOf = of;
        return g;
    }

    /// <summary>Appends a backward op, tagged with the stage of the forward op it differentiates.</summary>
    public T Emit<T>(T op) where T : Op
    {
        op.Stage = Current?.Stage ?? "";
        return Builder.Add(op);
    }

    /// <summary>Adds <paramref name="grad"/> to the gradient of <paramref name="of"/> (see the class remark).</summary>
    public void Contribute(Tensor of, Tensor grad)
    {
        if (grad.Shape != of.Shape)
            throw new ArgumentException($"Gradient {grad} does not match {of}.");
        if (!grads.TryGetValue(of, out var current))
        {
            grads[of] = grad;
            return;
        }
        string name = $"{of.Name}.grad_accumulate{++accumulations}";
        if (Owned(current, of))
            Emit(new AccumulateOp(name, grad, current));
        else if (Owned(grad, of))
            Emit(new AccumulateOp(name, current, grad));
        else
        {
            var sum = NewGrad(of);
            Emit(new AddOp(name, current, grad, sum));
            grads[of] = sum;
            return;
        }
        if (!Owned(current, of))
            grads[of] = grad;
    }

    /// <summary>
    /// The backward rule of an op with one differentiable input x and one output y: when y has a gradient and x
    /// needs one, appends <c>make(dy, dx)</c> into a new gradient of x and contributes it.
    /// </summary>
    public void Unary(Tensor x, Tensor y, Func<Tensor, Tensor, Op> make)
    {
        var dy = GradOf(y);
        if (dy is null || !NeedsGrad(x))
            return;
        var dx = NewGrad(x);
        Emit(make(dy, dx));
        Contribute(x, dx);
    }

    // A gradient tensor made for `of` is referenced by nothing else until of's producer reads it.
    bool Owned(Tensor grad, Tensor of) => grad.GradientOf == of && !grads.Any(kv => kv.Value == grad && kv.Key != of);
}
