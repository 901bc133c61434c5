namespace VkResNet.Importer.ResNet;

/// <summary>torchvision's two residual blocks: two 3x3 convs (expansion 1) or 1x1-3x3-1x1 (expansion 4).</summary>
public enum BlockKind { Basic, Bottleneck }
