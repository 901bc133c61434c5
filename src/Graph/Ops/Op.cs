using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Ops;

/// <summary>
/// One pass of the frame graph. A subclass (one file per op in src/Graph/Ops) states its shape rule,
/// its cost, the tensors it reads and writes, its backward rule and how it is recorded.
/// </summary>
public abstract class Op
{
    readonly List<TensorAccess> accesses = [];

    protected Op(string name) => Name = name;

    /// <summary>Unique within a graph, torchvision-style module path ("layer1.0.conv1").</summary>
    public string Name { get; }

    /// <summary>Short op type for reports and dot output ("Conv2d", "BatchNormBackward").</summary>
    public abstract string Type { get; }

    /// <summary>Viewer/summary stage ("stem", "layer1", ...); set by the builder.</summary>
    public string Stage { get; internal set; } = "";

    public OpPhase Phase { get; internal set; } = OpPhase.Forward;

    /// <summary>Every tensor the pass touches, in kernel binding order where that is natural.</summary>
    public IReadOnlyList<TensorAccess> Accesses => accesses;
    public IEnumerable<Tensor> Inputs => accesses.Where(a => a.Reads).Select(a => a.Tensor);
    public IEnumerable<Tensor> Outputs => accesses.Where(a => a.Writes).Select(a => a.Tensor);

    /// <summary>Multiply-accumulates (convolutions and linear layers; 0 for elementwise ops).</summary>
    public virtual long Macs => 0;

    /// <summary>Floating-point operations: 2 per MAC plus elementwise work.</summary>
    public virtual long Flops => 2 * Macs;

    /// <summary>True when <see cref="Backward"/> is implemented (forward ops of a training graph).</summary>
    public virtual bool IsDifferentiable => false;

    /// <summary>Appends the ops that compute this op's input gradients from its output gradients.</summary>
    public virtual void Backward(BackwardContext ctx) =>
        throw new NotSupportedException($"{Type} '{Name}' has no backward rule.");

    /// <summary>
    /// Scratch bytes the pass's kernels need with the graph's kernel choices (0: none). Passes run one after another
    /// and the recorder orders them by their declared accesses, so one scratch buffer of the largest size serves all.
    /// </summary>
    public virtual long ScratchBytes(Kernels.KernelSelection kernels) => 0;

    /// <summary>The conv keys whose candidate the tuner chooses for this pass (empty: none).</summary>
    public virtual IReadOnlyList<Kernels.ConvKey> KernelKeys => [];

    /// <summary>
    /// The op's double-precision CPU reference, in the semantics of its kernels: reads its inputs from
    /// <paramref name="m"/> and overwrites (or, where the op accumulates, updates) its outputs there. The one
    /// reference of the op: <see cref="PlanInterpreter"/>, VKRESNET_CHECK and the tests all run this.
    /// </summary>
    public abstract void Reference(ReferenceContext m);

    /// <summary>Records this pass's dispatches through the recorder (one launcher call), which resolves the tensors' slices from its plan.</summary>
    public abstract void Record(CommandRecorder rec);

    /// <summary>The kernels' NCHW shape of a rank-4 tensor.</summary>
    protected static Kernels.NchwShape Nchw(Tensor t) => new(t.Shape.N, t.Shape.C, t.Shape.H, t.Shape.W);

    protected Tensor Read(Tensor t) { accesses.Add(new(t, TensorUsage.Read)); return t; }
    protected Tensor Write(Tensor t) { accesses.Add(new(t, TensorUsage.Write)); return t; }
    protected Tensor ReadWrite(Tensor t) { accesses.Add(new(t, TensorUsage.ReadWrite)); return t; }

    /// <summary>Throws with the op name when a shape rule is violated.</summary>
    protected void Require(bool condition, string message)
    {
        if (!condition)
            throw new ArgumentException($"{Type} '{Name}': {message}");
    }

    public override string ToString() => $"{Type} {Name}";
}

/// <summary>Where an op sits in a training step.</summary>
public enum OpPhase { Forward, Backward, Optimizer }
