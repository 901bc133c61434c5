using VkResNet.Graph.Models;
using VkResNet.Graph.Optimize;

namespace VkResNet.Importer.ResNet;

/// <summary>
/// The <c>--bn conv-bias</c> layout: each BN of a torchvision state dict folded into the conv before it, with
/// Graph's <see cref="BatchNormFolding.Fold"/> doing the arithmetic (in double). This class only pairs each conv
/// with its BN by torchvision's names; the result has convZ.weight + convZ.bias (downsample.0.bias) and no BN entries.
/// </summary>
public static class StateDictFolding
{
    public const double Epsilon = 1e-5;

    public static WeightSet Fold(ResNetSpec arch, WeightSet mapped)
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
            var (w, b) = BatchNormFolding.Fold(t.Data, [], tensors[i + 1].Data, tensors[i + 2].Data, tensors[i + 3].Data, tensors[i + 4].Data, Epsilon);
            result.Add(t with { Data = w });
            result.Add(new WeightTensor($"{prefix}.bias", [t.Shape[0]], b, t.SourceType));
            i += 4;
        }
        result.Metadata["vkresnet.batchnorm"] = "folded-into-conv-bias";
        var expected = arch.Parameters(result["fc.bias"].Shape[0], foldedBatchNorm: true).Select(p => p.Name);
        if (!expected.SequenceEqual(result.Tensors.Select(t => t.Name))) throw new InvalidOperationException("folded layout does not match TorchvisionLayout.Parameters(foldedBatchNorm: true)");
        return result;
    }
}
