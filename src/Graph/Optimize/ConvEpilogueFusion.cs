using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Optimize;

/// <summary>
/// Inference rewrite after BN folding: Conv2d(+bias) [-> Add(residual)] [-> Relu] becomes one
/// <see cref="ConvBiasReluAddOp"/> when each intermediate tensor has that single reader. The fused op
/// writes the last tensor of the chain, so stage names ("layer1"...) survive, and takes the place of the
/// chain's last op, where the residual (e.g. a downsample built after the branch) is already written.
/// </summary>
public static class ConvEpilogueFusion
{
    public static int Run(FrameGraph graph)
    {
        int fused = 0;
        foreach (var conv in graph.Ops.OfType<Conv2dOp>().ToList())
        {
            if (conv.Bias is null)
                continue; // the epilogue kernels always add a bias; an unfolded conv stays plain
            var chain = new List<Op> { conv };
            var y = conv.Y;
            Tensor? residual = null;
            bool relu = false;
            if (SoleReader(graph, y) is AddOp add)
            {
                residual = add.A == y ? add.B : add.A;
                if (residual == y)
                    continue;
                chain.Add(add);
                y = add.Y;
            }
            if (SoleReader(graph, y) is ReluOp r)
            {
                chain.Add(r);
                y = r.Y;
                relu = true;
            }
            var op = new ConvBiasReluAddOp(conv.Name, conv.X, conv.Weight, conv.Bias, residual, y, conv.Stride, conv.Pad, relu)
            { Stage = chain[^1].Stage, Phase = conv.Phase };
            graph.ReplaceOps(chain, op);
            fused++;
        }
        return fused;
    }

    static Op? SoleReader(FrameGraph graph, Tensor t)
    {
        if (!t.IsTransient)
            return null;
        var readers = graph.Readers(t).Take(2).ToList();
        return readers.Count == 1 ? readers[0] : null;
    }
}
