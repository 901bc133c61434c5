using VkResNet.Graph.Models;

namespace VkResNet.Graph.Training;

/// <summary>Model names as users type them: resnet18/34/50/101/152, resnet20/32/44/56/110/1202 (CIFAR-style), plain-N twins.</summary>
public static class ModelCatalog
{
    public static readonly int[] ImageNetDepths = [18, 34, 50, 101, 152];
    public static readonly int[] CifarDepths = [20, 32, 44, 56, 110, 1202];

    public static IEnumerable<string> Names =>
        ImageNetDepths.Concat(CifarDepths).SelectMany(d => new[] { $"resnet{d}", $"plain{d}" });

    /// <summary>The depth in a model name ("resnet50" -> 50, "plain20" -> 20), or null if it is not one.</summary>
    public static int? DepthOf(string name)
    {
        string n = name.Trim().ToLowerInvariant().Replace("-", "");
        string digits = n.StartsWith("plain", StringComparison.Ordinal) ? n["plain".Length..] : n.StartsWith("resnet", StringComparison.Ordinal) ? n["resnet".Length..] : "";
        return int.TryParse(digits, out int d) ? d : null;
    }

    /// <summary>True for the ImageNet family (18, 34, 50, 101, 152), whose default input is 3x224x224.</summary>
    public static bool IsImageNet(string name) => DepthOf(name) is int d && ImageNetDepths.Contains(d);

    /// <summary>The spec for a model name, for an input of channels x height x width and a class count.</summary>
    public static ResNetSpec Resolve(string name, int channels, int height, int width, int classes, ShortcutOption? shortcut = null)
    {
        bool plain = name.Trim().StartsWith("plain", StringComparison.OrdinalIgnoreCase);
        if (DepthOf(name) is not int depth)
            throw new ArgumentException($"Unknown model \"{name}\". Models: resnet18/34/50/101/152 (ImageNet), resnet20/32/44/56/110/1202 or any 6n+2 (CIFAR-style), and plainN twins.");
        ResNetSpec spec;
        if (ImageNetDepths.Contains(depth))
            spec = ResNetSpec.ImageNet(depth, classes, shortcut ?? ShortcutOption.B);
        else if (depth >= 8 && (depth - 2) % 6 == 0)
            spec = ResNetSpec.Cifar(depth, classes, shortcut ?? ShortcutOption.A);
        else
            throw new ArgumentException($"Model \"{name}\": depth {depth} is neither an ImageNet ResNet (18, 34, 50, 101, 152) nor a CIFAR-style 6n+2.");
        spec = spec.WithInput(channels, height, width);
        return plain ? spec.AsPlain() : spec;
    }
}
