using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Ops;

/// <summary>
/// Declares tensors and ops. Each op method creates the op's parameters (torchvision names:
/// "{name}.weight", "{name}.bias", "{name}.running_mean"...) and its output tensor, named
/// <c>output ?? name</c>, and returns the output.
/// </summary>
public sealed class GraphBuilder
{
    public GraphBuilder(FrameGraph? graph = null) => Graph = graph ?? new FrameGraph();

    public FrameGraph Graph { get; }

    /// <summary>Stage that new ops are tagged with ("stem", "layer1"...), for the summary and the viewer.</summary>
    public string Stage { get; set; } = "";

    /// <summary>Phase new ops are tagged with; autodiff and the optimizer switch it.</summary>
    public OpPhase Phase { get; set; } = OpPhase.Forward;

    // ---- tensors ------------------------------------------------------------------------------

    public Tensor Input(string name, TensorShape shape) => Graph.NewTensor(name, shape, TensorKind.Input, ElementType.Float32, ParameterInit.None);
    public Tensor Labels(string name, int batch) => Graph.NewTensor(name, new TensorShape(batch), TensorKind.Label, ElementType.Int32, ParameterInit.None);
    public Tensor Parameter(string name, TensorShape shape, ParameterInit init) => Graph.NewTensor(name, shape, TensorKind.Parameter, ElementType.Float32, init);
    public Tensor RunningStat(string name, TensorShape shape, ParameterInit init) => Graph.NewTensor(name, shape, TensorKind.RunningStat, ElementType.Float32, init);
    public Tensor OptimizerState(string name, TensorShape shape) => Graph.NewTensor(name, shape, TensorKind.OptimizerState, ElementType.Float32, ParameterInit.Zeros);
    public Tensor Activation(string name, TensorShape shape, ElementType type = ElementType.Float32) =>
        Graph.NewTensor(name, shape, TensorKind.Activation, type, ParameterInit.None);
    public Tensor Output(string name, TensorShape shape) => Graph.NewTensor(name, shape, TensorKind.Output, ElementType.Float32, ParameterInit.None);

    /// <summary>Makes an activation persistent and readable by the host (logits at inference).</summary>
    public void MarkOutput(Tensor t)
    {
        if (t.Kind != TensorKind.Activation && t.Kind != TensorKind.Output)
            throw new ArgumentException($"Only an activation can become an output; '{t.Name}' is {t.Kind}.");
        t.Kind = TensorKind.Output;
    }

    /// <summary>Registers an op built elsewhere (autodiff, rewrites), tagging it with the current stage and phase.</summary>
    public T Add<T>(T op) where T : Op
    {
        if (op.Stage.Length == 0)
            op.Stage = Stage;
        op.Phase = Phase;
        Graph.AddOp(op);
        return op;
    }

    // ---- ops -----------------------------------------------------------------------------------

    /// <summary>Square convolution; weight [Cout, Cin, k, k] initialised Kaiming-normal (fan_out) as torchvision.</summary>
    public Tensor Conv2d(string name, Tensor x, int outChannels, int kernel, int stride = 1, int pad = 0, bool bias = false, string? output = null)
    {
        var w = Parameter($"{name}.weight", new TensorShape(outChannels, x.Shape.C, kernel, kernel), ParameterInit.KaimingNormalFanOut);
        var b = bias ? Parameter($"{name}.bias", new TensorShape(outChannels), ParameterInit.Zeros) : null;
        var y = Activation(output ?? name, Conv2dOp.OutputShape(x.Shape, outChannels, kernel, kernel, stride, pad));
        Add(new Conv2dOp(name, x, w, b, y, stride, pad));
        return y;
    }

    /// <summary>
    /// Above 0: training batch norms (plain and BnAddRelu) are built as SyncBatchNorm's split passes, statistics over
    /// N*H*W x this many ranks (BatchNormStatsOp, BatchNormApplyOp; see docs/distributed.md). 0: the one-pass ops.
    /// </summary>
    public int SyncBatchNormRanks { get; set; }

    /// <summary>Batch norm with gamma=1, beta=0, running_mean=0, running_var=1 initially.</summary>
    public Tensor BatchNorm(string name, Tensor x, BatchNormMode mode, double eps = 1e-5, double momentum = 0.1, string? output = null)
    {
        var (gamma, beta, mean, var) = BatchNormTensors(name, x.Shape.C);
        var y = Activation(output ?? name, x.Shape);
        Tensor? savedMean = null, savedInvStd = null;
        if (mode == BatchNormMode.Train)
            (savedMean, savedInvStd) = SavedStats(name, x.Shape.C);
        if (mode == BatchNormMode.Train && SyncBatchNormRanks > 0)
            return SplitBatchNorm(name, x, null, gamma, beta, mean, var, y, savedMean!, savedInvStd!, eps, momentum);
        Add(new BatchNormOp(name, mode, x, gamma, beta, mean, var, y, savedMean, savedInvStd, eps, momentum));
        return y;
    }

    public Tensor Relu(string name, Tensor x, string? output = null)
    {
        var y = Activation(output ?? name, x.Shape);
        Add(new ReluOp(name, x, y));
        return y;
    }

    public Tensor MaxPool(string name, Tensor x, int kernel = 3, int stride = 2, int pad = 1, string? output = null)
    {
        var shape = MaxPoolOp.OutputShape(x.Shape, kernel, stride, pad);
        var y = Activation(output ?? name, shape);
        var idx = Activation($"{name}.indices", shape, ElementType.Int32);
        Add(new MaxPoolOp(name, x, y, idx, kernel, stride, pad));
        return y;
    }

    public Tensor GlobalAvgPool(string name, Tensor x, string? output = null)
    {
        var y = Activation(output ?? name, GlobalAvgPoolOp.OutputShape(x.Shape));
        Add(new GlobalAvgPoolOp(name, x, y));
        return y;
    }

    /// <summary>Residual add a + b.</summary>
    public Tensor Add(string name, Tensor a, Tensor b, string? output = null)
    {
        var y = Activation(output ?? name, a.Shape);
        Add(new AddOp(name, a, b, y));
        return y;
    }

    /// <summary>Option-A shortcut: stride subsampling plus zero channels up to <paramref name="outChannels"/>.</summary>
    public Tensor ShortcutZeroPad(string name, Tensor x, int outChannels, int stride, string? output = null)
    {
        var y = Activation(output ?? name, ShortcutZeroPadOp.OutputShape(x.Shape, outChannels, stride));
        Add(new ShortcutZeroPadOp(name, x, y, stride));
        return y;
    }

    /// <summary>Fully connected layer on [N, in]; weight and bias initialised as nn.Linear.</summary>
    public Tensor Linear(string name, Tensor x, int outFeatures, bool bias = true, string? output = null)
    {
        var w = Parameter($"{name}.weight", new TensorShape(outFeatures, x.Shape[1]), ParameterInit.LinearUniform);
        var b = bias ? Parameter($"{name}.bias", new TensorShape(outFeatures), ParameterInit.LinearUniform) : null;
        var y = Activation(output ?? name, new TensorShape(x.Shape[0], outFeatures));
        Add(new LinearOp(name, x, w, b, y));
        return y;
    }

    /// <summary>Loss and correct count as one persistent [2] output tensor named <c>output ?? name</c>.</summary>
    public Tensor SoftmaxCrossEntropy(string name, Tensor logits, Tensor labels, float labelSmoothing = 0, string? output = null)
    {
        var result = Output(output ?? name, new TensorShape(2));
        Add(new SoftmaxCrossEntropyOp(name, logits, labels, result, labelSmoothing));
        return result;
    }

    /// <summary>Inference conv with fused bias, optional residual add and ReLU (normally made by the fusion pass).</summary>
    public Tensor ConvBiasReluAdd(string name, Tensor x, int outChannels, int kernel, int stride, int pad, Tensor? residual, bool relu, string? output = null)
    {
        var w = Parameter($"{name}.weight", new TensorShape(outChannels, x.Shape.C, kernel, kernel), ParameterInit.KaimingNormalFanOut);
        var b = Parameter($"{name}.bias", new TensorShape(outChannels), ParameterInit.Zeros);
        var y = Activation(output ?? name, Conv2dOp.OutputShape(x.Shape, outChannels, kernel, kernel, stride, pad));
        Add(new ConvBiasReluAddOp(name, x, w, b, residual, y, stride, pad, relu));
        return y;
    }

    /// <summary>Training-mode relu(bn(x) + residual) in one pass; BN tensors named as <see cref="BatchNorm"/>.</summary>
    public Tensor BnAddRelu(string name, Tensor x, Tensor residual, double eps = 1e-5, double momentum = 0.1, string? output = null)
    {
        var (gamma, beta, mean, var) = BatchNormTensors(name, x.Shape.C);
        var (savedMean, savedInvStd) = SavedStats(name, x.Shape.C);
        var y = Activation(output ?? name, x.Shape);
        if (SyncBatchNormRanks > 0)
            return SplitBatchNorm(name, x, residual, gamma, beta, mean, var, y, savedMean, savedInvStd, eps, momentum);
        Add(new BnAddReluOp(name, x, residual, gamma, beta, y, savedMean, savedInvStd, mean, var, eps, momentum));
        return y;
    }

    Tensor SplitBatchNorm(string name, Tensor x, Tensor? residual, Tensor gamma, Tensor beta, Tensor mean, Tensor var, Tensor y,
                          Tensor savedMean, Tensor savedInvStd, double eps, double momentum)
    {
        var stats = Activation($"{name}.batch_sums", new TensorShape(2 * x.Shape.C));
        Add(new BatchNormStatsOp($"{name}.stats", x, mean, stats));
        long count = (long)x.Shape.N * x.Shape.H * x.Shape.W * SyncBatchNormRanks;
        Add(new BatchNormApplyOp(name, count, x, gamma, beta, stats, y, savedMean, savedInvStd, mean, var, eps, momentum, residual));
        return y;
    }

    (Tensor gamma, Tensor beta, Tensor mean, Tensor var) BatchNormTensors(string name, int c)
    {
        var shape = new TensorShape(c);
        return (Parameter($"{name}.weight", shape, ParameterInit.Ones),
                Parameter($"{name}.bias", shape, ParameterInit.Zeros),
                RunningStat($"{name}.running_mean", shape, ParameterInit.Zeros),
                RunningStat($"{name}.running_var", shape, ParameterInit.Ones));
    }

    (Tensor mean, Tensor invStd) SavedStats(string name, int c) =>
        (Activation($"{name}.saved_mean", new TensorShape(c)), Activation($"{name}.saved_invstd", new TensorShape(c)));
}
