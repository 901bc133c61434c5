using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Optimize;

/// <summary>
/// Folds an inference batch norm into the convolution before it: with s = gamma / sqrt(var + eps),
/// w'[o] = w[o] * s[o] and b'[o] = (b[o] - mean[o]) * s[o] + beta[o], so bn(conv(x, w) + b) = conv(x, w') + b'.
/// </summary>
public static class BatchNormFolding
{
    /// <summary>The host-side arithmetic, in double; weight is [Cout, ...] row-major.</summary>
    public static (float[] Weight, float[] Bias) Fold(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, ReadOnlySpan<float> mean, ReadOnlySpan<float> var, double eps = 1e-5)
    {
        int cout = gamma.Length;
        if (beta.Length != cout || mean.Length != cout || var.Length != cout || (bias.Length != 0 && bias.Length != cout) || weight.Length % cout != 0)
            throw new ArgumentException($"BN folding: shapes disagree (weight {weight.Length}, Cout {cout}).");
        int per = weight.Length / cout;
        var w = new float[weight.Length];
        var b = new float[cout];
        for (int o = 0; o < cout; o++)
        {
            double s = gamma[o] / Math.Sqrt(var[o] + eps);
            for (int i = 0; i < per; i++)
                w[o * per + i] = (float)(weight[o * per + i] * s);
            double b0 = bias.Length == 0 ? 0 : bias[o];
            b[o] = (float)((b0 - mean[o]) * s + beta[o]);
        }
        return (w, b);
    }

    /// <summary>
    /// IR rewrite: every Conv2d whose output only feeds an inference BatchNorm becomes one Conv2d with bias
    /// writing the BN's output. The folded weight and bias are new parameters "{conv}.folded_weight" and
    /// "{conv}.folded_bias"; <see cref="FrameGraph.Folds"/> records how to compute them. Returns the fold count.
    /// </summary>
    public static int Run(FrameGraph graph)
    {
        var builder = new GraphBuilder(graph);
        int folded = 0;
        foreach (var bn in graph.Ops.OfType<BatchNormOp>().Where(b => b.Mode == BatchNormMode.Infer).ToList())
        {
            if (graph.Writers(bn.X).SingleOrDefault() is not Conv2dOp conv || graph.Readers(bn.X).Count() != 1 || !bn.X.IsTransient)
                continue;
            var w = builder.Parameter(graph.UniqueTensorName($"{conv.Name}.folded_weight"), conv.Weight.Shape, ParameterInit.None);
            var b = builder.Parameter(graph.UniqueTensorName($"{conv.Name}.folded_bias"), new TensorShape(conv.Weight.Shape[0]), ParameterInit.None);
            var replacement = new Conv2dOp(conv.Name, conv.X, w, b, bn.Y, conv.Stride, conv.Pad) { Stage = conv.Stage, Phase = conv.Phase };
            graph.ReplaceOps([conv, bn], replacement);
            graph.Folds.Add(new FoldedConvParameters(w.Name, b.Name, conv.Weight.Name, conv.Bias?.Name,
                bn.Gamma.Name, bn.Beta.Name, bn.RunningMean.Name, bn.RunningVar.Name, bn.Eps));
            folded++;
        }
        return folded;
    }
}
