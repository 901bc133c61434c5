using VkResNet.Graph.Kernels;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Ops;

/// <summary>
/// Inference convolution with a fused epilogue: y = [relu](conv(x, w) + b [+ residual]). Produced by
/// <see cref="Optimize.ConvEpilogueFusion"/> after BN folding; has no backward (inference only).
/// </summary>
public sealed class ConvBiasReluAddOp : Op
{
    public ConvBiasReluAddOp(string name, Tensor x, Tensor weight, Tensor bias, Tensor? residual, Tensor y,
                             int stride, int pad, bool relu) : base(name)
    {
        X = Read(x);
        Weight = Read(weight);
        Bias = Read(bias);
        Residual = residual is null ? null : Read(residual);
        Y = Write(y);
        Stride = stride;
        Pad = pad;
        Relu = relu;
        Require(y.Shape == Conv2dOp.OutputShape(x.Shape, weight.Shape[0], weight.Shape[2], weight.Shape[3], stride, pad), "output shape");
        Require(residual is null || residual.Shape == y.Shape, "residual must have the output shape");
        Require(bias.Shape == new TensorShape(weight.Shape[0]), "bias must be [Cout]");
    }

    public override string Type => "ConvBiasReluAdd";
    public Tensor X { get; }
    public Tensor Weight { get; }
    public Tensor Bias { get; }
    public Tensor? Residual { get; }
    public Tensor Y { get; }
    public int Stride { get; }
    public int Pad { get; }
    public bool Relu { get; }
    public int KernelH => Weight.Shape[2];
    public int KernelW => Weight.Shape[3];
    public override long Macs => Conv2dOp.MacCount(Y.Shape, Weight.Shape);
    public override long Flops => 2 * Macs + Y.Shape.ElementCount * (1 + (Relu ? 1 : 0) + (Residual is null ? 0 : 1));

    public ConvKey Key => new(ConvDirection.Forward, Conv2dOp.Shape(X.Shape, Weight.Shape, Stride, Pad),
                              Conv2dFlags.Bias | (Residual is null ? 0 : Conv2dFlags.Residual) | (Relu ? Conv2dFlags.Relu : 0));
    public override IReadOnlyList<ConvKey> KernelKeys => [Key];
    public override long ScratchBytes(KernelSelection kernels) => kernels.Choose(Key).Scratch(Key.Shape);

    public override void Reference(ReferenceContext m) =>
        Conv2dOp.ReferenceForward(m[X], m[Weight], m[Bias], Residual is null ? default : m[Residual], m[Y], Key.Shape, Relu);

    public override void Record(CommandRecorder rec) =>
        Conv2dKernels.Record(rec, rec.Choose(Key), Key, new ConvOperands(rec.Slice(X), rec.Slice(Weight), rec.Slice(Y), rec.Scratch,
                                                                                  rec.Slice(Bias), Residual is null ? null : rec.Slice(Residual)));
}
