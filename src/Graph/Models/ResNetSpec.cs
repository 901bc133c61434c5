namespace VkResNet.Graph.Models;

public enum BlockKind { Basic, Bottleneck }

/// <summary>Shortcut options of He et al.: A zero-pads where dimensions grow, B projects where they grow,
/// C projects in every block.</summary>
public enum ShortcutOption { A, B, C }

/// <summary>
/// A ResNet's architecture. ImageNet models: 7x7/2 stem + 3x3/2 max pool, four stages, torchvision layout
/// (bottleneck stride on the 3x3 unless <see cref="StrideOnFirst1x1"/>, the original paper's choice).
/// CIFAR models (He et al. sec. 4.2): 3x3 stem with 16 filters, three stages of n basic blocks at 16/32/64.
/// <see cref="Plain"/> builds the same layers without shortcuts.
/// </summary>
public sealed record ResNetSpec(
    string Name,
    BlockKind Block,
    IReadOnlyList<int> Layers,
    IReadOnlyList<int> Widths,
    bool ImageNetStem,
    ShortcutOption Shortcut,
    bool Plain = false,
    bool StrideOnFirst1x1 = false,
    int InputChannels = 3,
    int InputHeight = 224,
    int InputWidth = 224,
    int Classes = 1000)
{
    public int Expansion => Block == BlockKind.Bottleneck ? 4 : 1;
    public int Depth => Layers.Sum() * (Block == BlockKind.Bottleneck ? 3 : 2) + 2;

    public static ResNetSpec ResNet18(int classes = 1000) => ImageNet(18, classes);
    public static ResNetSpec ResNet34(int classes = 1000) => ImageNet(34, classes);
    public static ResNetSpec ResNet50(int classes = 1000) => ImageNet(50, classes);
    public static ResNetSpec ResNet101(int classes = 1000) => ImageNet(101, classes);
    public static ResNetSpec ResNet152(int classes = 1000) => ImageNet(152, classes);

    /// <summary>torchvision's ResNet-18/34/50/101/152 (shortcut option B).</summary>
    public static ResNetSpec ImageNet(int depth, int classes = 1000, ShortcutOption shortcut = ShortcutOption.B)
    {
        var (block, layers) = depth switch
        {
            18 => (BlockKind.Basic, new[] { 2, 2, 2, 2 }),
            34 => (BlockKind.Basic, new[] { 3, 4, 6, 3 }),
            50 => (BlockKind.Bottleneck, new[] { 3, 4, 6, 3 }),
            101 => (BlockKind.Bottleneck, new[] { 3, 4, 23, 3 }),
            152 => (BlockKind.Bottleneck, new[] { 3, 8, 36, 3 }),
            _ => throw new ArgumentException($"No ImageNet ResNet of depth {depth}; use 18, 34, 50, 101 or 152."),
        };
        return new ResNetSpec($"resnet{depth}", block, layers, [64, 128, 256, 512], true, shortcut, Classes: classes);
    }

    /// <summary>CIFAR ResNet-(6n+2): 20, 32, 44, 56, 110, 1202... on 3x32x32 with option A by default.</summary>
    public static ResNetSpec Cifar(int depth, int classes = 10, ShortcutOption shortcut = ShortcutOption.A)
    {
        if (depth < 8 || (depth - 2) % 6 != 0)
            throw new ArgumentException($"A CIFAR ResNet has depth 6n+2 (20, 32, 44, 56, 110, 1202); got {depth}.");
        int n = (depth - 2) / 6;
        return new ResNetSpec($"cifar-resnet{depth}", BlockKind.Basic, [n, n, n], [16, 32, 64], false, shortcut,
                              InputHeight: 32, InputWidth: 32, Classes: classes);
    }

    /// <summary>The plain twin: the same layers, no shortcuts.</summary>
    public ResNetSpec AsPlain() => this with { Name = Name.Replace("resnet", "plain"), Plain = true };

    public ResNetSpec WithInput(int channels, int height, int width) =>
        this with { InputChannels = channels, InputHeight = height, InputWidth = width };
}
