namespace VkResNet.Importer.ResNet;

/// <summary>One named parameter the target model expects: its torchvision name and shape.</summary>
public readonly record struct ExpectedParameter(string Name, long[] Shape);

/// <summary>
/// The five torchvision ImageNet ResNets and the parameter table each one's state_dict holds
/// (VkResNet's parameter names are torchvision's). Bottlenecks carry the stride on the 3x3 conv (ResNet v1.5).
/// </summary>
public sealed record ResNetArch(string Name, BlockKind Block, int[] Layers)
{
    public static readonly ResNetArch ResNet18 = new("resnet18", BlockKind.Basic, [2, 2, 2, 2]);
    public static readonly ResNetArch ResNet34 = new("resnet34", BlockKind.Basic, [3, 4, 6, 3]);
    public static readonly ResNetArch ResNet50 = new("resnet50", BlockKind.Bottleneck, [3, 4, 6, 3]);
    public static readonly ResNetArch ResNet101 = new("resnet101", BlockKind.Bottleneck, [3, 4, 23, 3]);
    public static readonly ResNetArch ResNet152 = new("resnet152", BlockKind.Bottleneck, [3, 8, 36, 3]);
    public static readonly IReadOnlyList<ResNetArch> All = [ResNet18, ResNet34, ResNet50, ResNet101, ResNet152];

    public int Expansion => Block == BlockKind.Basic ? 1 : 4;
    public int ConvsPerBlock => Block == BlockKind.Basic ? 2 : 3;
    public int FeatureChannels => 512 * Expansion;
    public static string Names => string.Join(", ", All.Select(a => a.Name));

    public static ResNetArch Parse(string name) =>
        All.FirstOrDefault(a => a.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ImportException($"unknown architecture '{name}' (known: {Names})");

    public static ResNetArch? Find(BlockKind block, IReadOnlyList<int> layers) =>
        All.FirstOrDefault(a => a.Block == block && a.Layers.SequenceEqual(layers));

    public override string ToString() => Name;

    /// <summary>The 3x3 (Basic) or first-1x1-then-3x3 (Bottleneck) layout of block <paramref name="block"/> of stage <paramref name="stage"/> (0-based).</summary>
    public BlockShape BlockAt(int stage, int block)
    {
        int planes = 64 << stage;
        int inChannels = block == 0 ? (stage == 0 ? 64 : (64 << (stage - 1)) * Expansion) : planes * Expansion;
        int stride = block == 0 && stage > 0 ? 2 : 1;
        bool downsample = block == 0 && (stride != 1 || inChannels != planes * Expansion);
        return new BlockShape(stage, block, inChannels, planes, planes * Expansion, stride, downsample);
    }

    /// <summary>
    /// Every parameter of the model in state_dict order (num_batches_tracked left out). With
    /// <paramref name="foldedBatchNorm"/> each conv carries a bias and the BN entries are gone (an inference-only layout).
    /// </summary>
    public IReadOnlyList<ExpectedParameter> Parameters(long numClasses = 1000, bool foldedBatchNorm = false)
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
        Conv("conv1", 64, 3, 7);
        Bn("bn1", 64);
        for (int stage = 0; stage < 4; stage++)
        {
            for (int b = 0; b < Layers[stage]; b++)
            {
                BlockShape s = BlockAt(stage, b);
                string prefix = s.Prefix;
                if (Block == BlockKind.Basic)
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
        p.Add(new("fc.weight", [numClasses, FeatureChannels]));
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
