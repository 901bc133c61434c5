using VkResNet.Graph.Models;
using VkResNet.Importer.ResNet;
using VkResNet.Importer.Verify;

namespace VkResNet.Importer.Tests;

/// <summary>
/// A double-precision CPU forward of torchvision's ResNet in eval mode (plain loops, NCHW, one sample at a time),
/// reading parameters by their torchvision names: BN when bnZ.* exist, else a conv bias (the --bn conv-bias layout).
/// It checks imported weights against PyTorch's logits here, and stands in for the GPU runner behind --verify.
/// </summary>
public sealed class CpuResNet : IReferenceModelRunner
{
    private sealed record Map(double[] Data, int C, int H, int W);

    public float[] RunLogits(ResNetSpec arch, WeightSet weights, float[] input, long[] inputShape)
    {
        int n = (int)inputShape[0], c = (int)inputShape[1], h = (int)inputShape[2], w = (int)inputShape[3];
        long classes = weights["fc.bias"].Shape[0];
        var logits = new float[n * classes];
        Parallel.For(0, n, s =>
        {
            var x = new Map(input.Skip(s * c * h * w).Take(c * h * w).Select(v => (double)v).ToArray(), c, h, w);
            double[] y = Forward(arch, weights, x);
            for (int k = 0; k < classes; k++) logits[s * classes + k] = (float)y[k];
        });
        return logits;
    }

    private static double[] Forward(ResNetSpec arch, WeightSet p, Map x)
    {
        x = Relu(ConvNorm(p, x, "conv1", "bn1", 2, 3));
        x = MaxPool3x3s2(x);
        for (int stage = 0; stage < 4; stage++)
        {
            for (int b = 0; b < arch.Layers[stage]; b++)
            {
                BlockShape s = arch.BlockAt(stage, b);
                string pre = s.Prefix;
                Map shortcut = s.Downsample ? ConvNorm(p, x, $"{pre}.downsample.0", $"{pre}.downsample.1", s.Stride, 0) : x;
                Map y;
                if (arch.Block == BlockKind.Basic)
                {
                    y = Relu(ConvNorm(p, x, $"{pre}.conv1", $"{pre}.bn1", s.Stride, 1));
                    y = ConvNorm(p, y, $"{pre}.conv2", $"{pre}.bn2", 1, 1);
                }
                else
                {
                    y = Relu(ConvNorm(p, x, $"{pre}.conv1", $"{pre}.bn1", 1, 0));
                    y = Relu(ConvNorm(p, y, $"{pre}.conv2", $"{pre}.bn2", s.Stride, 1));
                    y = ConvNorm(p, y, $"{pre}.conv3", $"{pre}.bn3", 1, 0);
                }
                for (int i = 0; i < y.Data.Length; i++) y.Data[i] += shortcut.Data[i];
                x = Relu(y);
            }
        }
        var pooled = new double[x.C];
        for (int ch = 0; ch < x.C; ch++)
        {
            double sum = 0;
            for (int i = 0; i < x.H * x.W; i++) sum += x.Data[ch * x.H * x.W + i];
            pooled[ch] = sum / (x.H * x.W);
        }
        WeightTensor fw = p["fc.weight"], fb = p["fc.bias"];
        int outs = (int)fw.Shape[0], ins = (int)fw.Shape[1];
        var logits = new double[outs];
        for (int o = 0; o < outs; o++)
        {
            double acc = fb.Data[o];
            for (int i = 0; i < ins; i++) acc += fw.Data[o * ins + i] * pooled[i];
            logits[o] = acc;
        }
        return logits;
    }

    private static Map ConvNorm(WeightSet p, Map x, string conv, string bn, int stride, int pad)
    {
        WeightTensor wt = p[$"{conv}.weight"];
        int co = (int)wt.Shape[0], ci = (int)wt.Shape[1], k = (int)wt.Shape[2];
        int oh = (x.H + 2 * pad - k) / stride + 1, ow = (x.W + 2 * pad - k) / stride + 1;
        var o = new double[co * oh * ow];
        float[] w = wt.Data;
        for (int f = 0; f < co; f++)
        for (int c = 0; c < ci; c++)
        for (int ky = 0; ky < k; ky++)
        for (int kx = 0; kx < k; kx++)
        {
            double wv = w[((f * ci + c) * k + ky) * k + kx];
            for (int oy = 0; oy < oh; oy++)
            {
                int iy = oy * stride - pad + ky;
                if (iy < 0 || iy >= x.H) continue;
                int inRow = (c * x.H + iy) * x.W, outRow = (f * oh + oy) * ow;
                for (int ox = 0; ox < ow; ox++)
                {
                    int ix = ox * stride - pad + kx;
                    if (ix >= 0 && ix < x.W) o[outRow + ox] += wv * x.Data[inRow + ix];
                }
            }
        }
        if (p.TryGet($"{bn}.weight", out var g))
        {
            float[] beta = p[$"{bn}.bias"].Data, mean = p[$"{bn}.running_mean"].Data, var = p[$"{bn}.running_var"].Data;
            for (int f = 0; f < co; f++)
            {
                double scale = g.Data[f] / Math.Sqrt(var[f] + 1e-5), shift = beta[f] - mean[f] * scale;
                for (int i = 0; i < oh * ow; i++) o[f * oh * ow + i] = o[f * oh * ow + i] * scale + shift;
            }
        }
        else
        {
            float[] bias = p[$"{conv}.bias"].Data;
            for (int f = 0; f < co; f++) for (int i = 0; i < oh * ow; i++) o[f * oh * ow + i] += bias[f];
        }
        return new Map(o, co, oh, ow);
    }

    private static Map Relu(Map x)
    {
        for (int i = 0; i < x.Data.Length; i++) x.Data[i] = Math.Max(0, x.Data[i]);
        return x;
    }

    private static Map MaxPool3x3s2(Map x)
    {
        int oh = (x.H + 2 - 3) / 2 + 1, ow = (x.W + 2 - 3) / 2 + 1;
        var o = new double[x.C * oh * ow];
        for (int c = 0; c < x.C; c++)
        for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
        {
            double m = double.NegativeInfinity;
            for (int ky = 0; ky < 3; ky++)
            for (int kx = 0; kx < 3; kx++)
            {
                int iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx;
                if (iy >= 0 && iy < x.H && ix >= 0 && ix < x.W) m = Math.Max(m, x.Data[(c * x.H + iy) * x.W + ix]);
            }
            o[(c * oh + oy) * ow + ox] = m;
        }
        return new Map(o, x.C, oh, ow);
    }
}
