namespace VkResNet.Importer.ResNet;

/// <summary>
/// Folds each BN into the conv before it (inference layout, <c>--bn conv-bias</c>):
/// W' = W * g / sqrt(var + eps) per output channel, b' = beta - mean * g / sqrt(var + eps), computed in double.
/// The result has convZ.weight + convZ.bias (downsample.0.bias) and no BN entries.
/// </summary>
public static class BatchNormFolding
{
    public const double Epsilon = 1e-5;

    public static WeightSet Fold(ResNetArch arch, WeightSet mapped)
    {
        var result = new WeightSet();
        result.Notes.AddRange(mapped.Notes);
        foreach (var (k, v) in mapped.Metadata) result.Metadata[k] = v;
        var tensors = mapped.Tensors;
        for (int i = 0; i < tensors.Count; i++)
        {
            WeightTensor t = tensors[i];
            if (t.Shape.Length != 4) { result.Add(t); continue; }
            // In state_dict order every conv weight is followed by its BN's weight, bias, running_mean, running_var.
            string prefix = t.Name[..^".weight".Length];
            string bn = prefix.EndsWith(".downsample.0", StringComparison.Ordinal) ? prefix[..^1] + "1" : prefix == "conv1" ? "bn1" : prefix.Replace(".conv", ".bn");
            if (i + 4 >= tensors.Count || tensors[i + 1].Name != $"{bn}.weight")
                throw new ImportException($"cannot fold batch norm: {t.Name} is not followed by {bn}.weight");
            float[] g = tensors[i + 1].Data, beta = tensors[i + 2].Data, mean = tensors[i + 3].Data, var = tensors[i + 4].Data;
            long cout = t.Shape[0], per = t.ElementCount / cout;
            var w = new float[t.Data.Length];
            var b = new float[cout];
            for (long c = 0; c < cout; c++)
            {
                double scale = g[c] / Math.Sqrt((double)var[c] + Epsilon);
                for (long j = 0; j < per; j++) w[c * per + j] = (float)(t.Data[c * per + j] * scale);
                b[c] = (float)(beta[c] - mean[c] * scale);
            }
            result.Add(t with { Data = w });
            result.Add(new WeightTensor($"{prefix}.bias", [cout], b, t.SourceType));
            i += 4;
        }
        result.Metadata["vkresnet.batchnorm"] = "folded-into-conv-bias";
        var expected = arch.Parameters(result["fc.bias"].Shape[0], foldedBatchNorm: true).Select(p => p.Name);
        if (!expected.SequenceEqual(result.Tensors.Select(t => t.Name))) throw new InvalidOperationException("folded layout does not match ResNetArch.Parameters(foldedBatchNorm: true)");
        return result;
    }
}
