using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>
/// The linear layer as conv keys, so that its three GEMMs go through the tuner like every conv pass: y = x W^T + b is a
/// 1x1 conv over 1x1 maps (x [N, In, 1, 1], W [Out, In, 1, 1], y [N, Out, 1, 1]: the same memory as [N, In], [Out, In],
/// [N, Out]), dx = dy W its backward input and dW = dy^T x its backward weight. The "linear_gemm" candidates record
/// today's strided GEMM (<see cref="LinearKernels"/>, gemm_cpu or gemm_gpu by the recorder's variant); the fixed rules
/// pick them for such keys, so with tuning off a linear layer records what it always did.
/// </summary>
public static class LinearGemm
{
    public const string Name = "linear_gemm";

    /// <summary>The conv shape of a linear layer.</summary>
    public static Conv2dShape Shape(LinearShape s) => new(s.N, s.In, 1, 1, s.Out, 1, 1, 1, 1, 0, 0);

    /// <summary>A 1x1 conv over 1x1 maps without padding: a linear layer (stride cannot matter on one pixel).</summary>
    public static bool Applies(Conv2dShape s) => s.H == 1 && s.W == 1 && s.KernelH == 1 && s.KernelW == 1 && s.PadH == 0 && s.PadW == 0;

    static LinearShape Linear(Conv2dShape s) => new(s.N, s.Cin, s.Cout);
    static bool Has(Conv2dFlags f, Conv2dFlags bit) => (f & bit) != 0;

    /// <summary>The candidate of one direction (a row of <see cref="ConvCandidates.All"/>).</summary>
    public static ConvCandidate Candidate(ConvDirection d) => new(Name, d, "the linear layer's strided GEMM (transposes as strides, small batches transposed)",
        (s, device) => Applies(s), _ => 0, d switch
        {
            ConvDirection.Forward => Forward,
            ConvDirection.BackwardInput => (r, s, o, f) => LinearKernels.BackwardInput(r, Linear(s), o.A, o.B, o.Out, Has(f, Conv2dFlags.Accumulate)),
            _ => (r, s, o, f) => LinearKernels.BackwardWeight(r, Linear(s), o.A, o.B, o.Out, Has(f, Conv2dFlags.Accumulate)),
        });

    // The GEMM has no residual input (a linear layer never has one): such a key records the direct reference form instead.
    static void Forward(CommandRecorder r, Conv2dShape s, ConvOperands o, Conv2dFlags f)
    {
        if (Has(f, Conv2dFlags.Residual)) Conv2dKernels.DirectForward(r, s, o, f, KernelVariant.Cpu, rowsOnX: true);
        else LinearKernels.Forward(r, Linear(s), o.A, o.B, Has(f, Conv2dFlags.Bias) ? o.Bias : null, o.Out, Has(f, Conv2dFlags.Relu), Has(f, Conv2dFlags.Accumulate));
    }
}
