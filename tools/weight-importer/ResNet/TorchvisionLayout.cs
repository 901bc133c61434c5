using VkResNet.Graph.Models;

namespace VkResNet.Importer.ResNet;

/// <summary>One named parameter the target model expects: its torchvision name and shape.</summary>
public readonly record struct ExpectedParameter(string Name, long[] Shape);

/// <summary>
/// torchvision's naming of Graph's <see cref="ResNetSpec"/>: the five ImageNet ResNets the importer knows and the
/// parameter table each one's state_dict holds (VkResNet's parameter names are torchvision's). Bottlenecks carry
/// the stride on the 3x3 conv (ResNet v1.5), as <see cref="ResNetSpec.ImageNet"/> does.
/// </summary>
public static class TorchvisionLayout
{
    /// <summary>One instance per architecture, so a parsed or detected spec compares equal to these.</summary>
    public static readonly IReadOnlyList<ResNetSpec> All =
        [ResNetSpec.ResNet18(), ResNetSpec.ResNet34(), ResNetSpec.ResNet50(), ResNetSpec.ResNet101(), ResNetSpec.ResNet152()];

    public static string Names => string.Join(", ", All.Select(a => a.Name));

    public static ResNetSpec Parse(string name) =>
        All.FirstOrDefault(a => a.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ImportException($"unknown architecture '{name}' (known: {Names})");

    public static ResNetSpec? Find(BlockKind block, IReadOnlyList<int> layers) =>
        All.FirstOrDefault(a => a.Block == block && a.Layers.SequenceEqual(layers));

    public static int FeatureChannels(this ResNetSpec spec) => spec.Widths[^1] * spec.Expansion;

    /// <summary>The 3x3 (Basic) or first-1x1-then-3x3 (Bottleneck) layout of block <paramref name="block"/> of stage <paramref name="stage"/> (0-based).</summary>
    public static BlockShape BlockAt(this ResNetSpec spec, int stage, int block)
    {
        int planes = spec.Widths[stage], expansion = spec.Expansion;
        int inChannels = block == 0 ? (stage == 0 ? spec.Widths[0] : spec.Widths[stage - 1] * expansion) : planes * expansion;
        int stride = block == 0 && stage > 0 ? 2 : 1;
        bool downsample = block == 0 && (stride != 1 || inChannels != planes * expansion);
        return new BlockShape(stage, block, inChannels, planes, planes * expansion, stride, downsample);
    }

    /// <summary>
    /// Every parameter of the model in state_dict order (num_batches_tracked left out). With
    /// <paramref name="foldedBatchNorm"/> each conv carries a bias and the BN entries are gone (an inference-only layout).
    /// </summary>
    public static IReadOnlyList<ExpectedParameter> Parameters(this ResNetSpec spec, long numClasses = 1000, bool foldedBatchNorm = false)
    {
        var p = new List<ExpectedParameter>();
        string conv = "";
        void Conv(string name, long cout, long cin, long k)
        {
            p.Add(new($"{name}.weight", [cout, cin, k, k]));
            conv = name;
        }
        void Bn(string name, long c)
        {
            if (foldedBatchNorm) p.Add(new($"{conv}.bias", [c]));
            else foreach (string s in BatchNormSuffixes) p.Add(new($"{name}.{s}", [c]));
        }
        Conv("conv1", spec.Widths[0], spec.InputChannels, 7);
        Bn("bn1", spec.Widths[0]);
        for (int stage = 0; stage < spec.Layers.Count; stage++)
        {
            for (int b = 0; b < spec.Layers[stage]; b++)
            {
                BlockShape s = spec.BlockAt(stage, b);
                string prefix = s.Prefix;
                if (spec.Block == BlockKind.Basic)
                {
                    Conv($"{prefix}.conv1", s.Planes, s.InChannels, 3);
                    Bn($"{prefix}.bn1", s.Planes);
                    Conv($"{prefix}.conv2", s.Planes, s.Planes, 3);
                    Bn($"{prefix}.bn2", s.Planes);
                }
                else
                {
                    Conv($"{prefix}.conv1", s.Planes, s.InChannels, 1);
                    Bn($"{prefix}.bn1", s.Planes);
                    Conv($"{prefix}.conv2", s.Planes, s.Planes, 3);
                    Bn($"{prefix}.bn2", s.Planes);
                    Conv($"{prefix}.conv3", s.OutChannels, s.Planes, 1);
                    Bn($"{prefix}.bn3", s.OutChannels);
                }
                if (s.Downsample)
                {
                    Conv($"{prefix}.downsample.0", s.OutChannels, s.InChannels, 1);
                    Bn($"{prefix}.downsample.1", s.OutChannels);
                }
            }
        }
        p.Add(new("fc.weight", [numClasses, spec.FeatureChannels()]));
        p.Add(new("fc.bias", [numClasses]));
        return p;
    }

    public static readonly string[] BatchNormSuffixes = ["weight", "bias", "running_mean", "running_var"];
}

/// <summary>Channels and stride of one residual block; <see cref="Prefix"/> is its torchvision name (layer1.0 ...).</summary>
public readonly record struct BlockShape(int Stage, int Index, int InChannels, int Planes, int OutChannels, int Stride, bool Downsample)
{
    public string Prefix => $"layer{Stage + 1}.{Index}";
}
