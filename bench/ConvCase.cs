using VkResNet.Graph.Kernels;
using VkResNet.Runtime;

namespace VkResNet.Bench;

/// <summary>Which pass of a convolution a kernel benchmark times.</summary>
public enum ConvDirection { Forward, BackwardInput, BackwardWeight }

/// <summary>
/// One convolution layer shape to time, named after the torchvision layer it comes from. The 3x3 stride-1
/// layers of ResNet-18 and ResNet-50 have the same shapes stage by stage (64@56, 128@28, 256@14, 512@7),
/// so they are listed once; the 1x1 layers differ (ResNet-18: stride-2 projections; ResNet-50: the 4x expansions).
/// </summary>
public sealed record ConvCase(string Name, Conv2dShape Shape, KernelVariant Variant = KernelVariant.Cpu)
{
    public override string ToString() => $"{Variant,-3} {Name} b{Shape.N}";

    static ConvCase Sq(string name, int n, int cin, int hw, int cout, int k, int stride, int pad) =>
        new(name, Conv2dShape.Square(n, cin, hw, hw, cout, k, stride, pad));

    /// <summary>ImageNet layers at 224x224: the shared 7x7 stem, one 3x3 per stage, one 1x1 per stage of each model.</summary>
    public static IEnumerable<ConvCase> ImageNet(int n) =>
    [
        Sq("stem 7x7/2 3-64@224", n, 3, 224, 64, 7, 2, 3),
        Sq("r18+r50 l1 3x3 64@56", n, 64, 56, 64, 3, 1, 1),
        Sq("r18+r50 l2 3x3 128@28", n, 128, 28, 128, 3, 1, 1),
        Sq("r18+r50 l3 3x3 256@14", n, 256, 14, 256, 3, 1, 1),
        Sq("r18+r50 l4 3x3 512@7", n, 512, 7, 512, 3, 1, 1),
        Sq("r50 l2.0 3x3/2 128@56", n, 128, 56, 128, 3, 2, 1),
        Sq("r18 l2 1x1/2 64-128@56", n, 64, 56, 128, 1, 2, 0),
        Sq("r18 l3 1x1/2 128-256@28", n, 128, 28, 256, 1, 2, 0),
        Sq("r18 l4 1x1/2 256-512@14", n, 256, 14, 512, 1, 2, 0),
        Sq("r50 l1 1x1 64-256@56", n, 64, 56, 256, 1, 1, 0),
        Sq("r50 l2 1x1 128-512@28", n, 128, 28, 512, 1, 1, 0),
        Sq("r50 l3 1x1 256-1024@14", n, 256, 14, 1024, 1, 1, 0),
        Sq("r50 l4 1x1 512-2048@7", n, 512, 7, 2048, 1, 1, 0),
    ];

    /// <summary>CIFAR ResNet-20 at Fashion-MNIST's 28x28 (batch 128): the 3x3 stride-1 layer of each stage.</summary>
    public static IEnumerable<ConvCase> ResNet20(int n = 128) =>
    [
        Sq("r20 l1 3x3 16@28", n, 16, 28, 16, 3, 1, 1),
        Sq("r20 l2 3x3 32@14", n, 32, 14, 32, 3, 1, 1),
        Sq("r20 l3 3x3 64@7", n, 64, 7, 64, 3, 1, 1),
    ];

    /// <summary>Full set: ImageNet layers at batch 1 and 32, ResNet-20 at batch 128.</summary>
    public static IEnumerable<ConvCase> All => ImageNet(1).Concat(ResNet20()).Concat(ImageNet(32));

    /// <summary>Quick set: a 3x3 and a 1x1 of ResNet-50 at batch 1, ResNet-20's three stages at batch 128.</summary>
    public static IEnumerable<ConvCase> Quick =>
        ImageNet(1).Where(c => c.Name.StartsWith("r18+r50 l2", StringComparison.Ordinal) || c.Name.StartsWith("r50 l3 1x1", StringComparison.Ordinal))
            .Concat(ResNet20());

    /// <summary>
    /// The cases of a run: every shape of the set on the device's own variant; the other variant (the form
    /// for the other kind of device, ~1% of peak here: shared memory on lavapipe) at batch 1 only, unless
    /// `variant=` asks for it alone. `batch=` narrows either.
    /// </summary>
    public static IEnumerable<ConvCase> ForRun(bool quick, KernelVariant own, KernelVariant? only, int[]? batches)
    {
        var set = (quick ? Quick : All).ToList();
        var other = own == KernelVariant.Cpu ? KernelVariant.Gpu : KernelVariant.Cpu;
        IEnumerable<ConvCase> cases = only is { } v
            ? set.Select(c => c with { Variant = v })
            : set.Select(c => c with { Variant = own })
                 .Concat(quick ? [] : set.Where(c => c.Shape.N == 1).Select(c => c with { Variant = other }));
        return cases.Where(c => batches?.Contains(c.Shape.N) ?? true);
    }
}
