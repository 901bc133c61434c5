namespace VkResNet.Graph.Data;

/// <summary>
/// Training-time augmentation as in He et al. (CIFAR-10): pad each side with zeros (black pixels,
/// before normalisation, as torchvision's RandomCrop(padding) does) and take a random crop of the
/// original size; flip horizontally with probability 1/2. Both optional.
/// </summary>
public sealed record Augmentation(bool RandomCrop = true, int Padding = 4, bool HorizontalFlip = true)
{
    public static Augmentation None { get; } = new(false, 0, false);

    /// <summary>Crop with padding 4 and flips: the paper's CIFAR-10 recipe.</summary>
    public static Augmentation Standard { get; } = new();

    public bool IsEnabled => (RandomCrop && Padding > 0) || HorizontalFlip;
}
