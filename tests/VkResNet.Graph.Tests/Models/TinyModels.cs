using VkResNet.Graph.Models;

namespace VkResNet.Graph.Tests.Models;

/// <summary>Tiny ResNets with odd sizes, small enough for double-precision finite differences.</summary>
static class TinyModels
{
    public static ResNetSpec Get(string name) => name switch
    {
        // CIFAR-style stem; layer1 identity shortcut, layer2 stride 2 with option-A zero pad (4 -> 6 channels).
        "basic-A" => new ResNetSpec("tiny-basic-A", BlockKind.Basic, [1, 1], [4, 6], false, ShortcutOption.A,
                                    InputChannels: 3, InputHeight: 7, InputWidth: 5, Classes: 3),
        // ImageNet stem (7x7/2 conv + 3x3/2 max pool), bottlenecks with projections.
        "bottleneck-B" => new ResNetSpec("tiny-bottleneck-B", BlockKind.Bottleneck, [1, 1], [2, 3], true, ShortcutOption.B,
                                         InputChannels: 2, InputHeight: 13, InputWidth: 11, Classes: 4),
        "basic-C" => new ResNetSpec("tiny-basic-C", BlockKind.Basic, [2], [3], false, ShortcutOption.C,
                                    InputChannels: 1, InputHeight: 5, InputWidth: 6, Classes: 2),
        "plain" => new ResNetSpec("tiny-plain", BlockKind.Basic, [1, 1], [4, 6], false, ShortcutOption.A, Plain: true,
                                  InputChannels: 3, InputHeight: 7, InputWidth: 5, Classes: 3),
        _ => throw new ArgumentException(name),
    };
}
