using VkResNet.Graph.Ir;
using VkResNet.Graph.Kernels;

namespace VkResNet.Graph.Ops;

/// <summary>Conversions from IR shapes to the launchers' shape records (used by the ops' KernelShape).</summary>
static class KernelShapes
{
    public static NchwShape Nchw(TensorShape s) => new(s.N, s.C, s.H, s.W);

    /// <summary>The conv shape from its input, weight [Cout, Cin, kh, kw], stride and padding.</summary>
    public static Conv2dShape Conv(TensorShape x, TensorShape w, int stride, int pad) =>
        new(x.N, x.C, x.H, x.W, w[0], w[2], w[3], stride, stride, pad, pad);
}
