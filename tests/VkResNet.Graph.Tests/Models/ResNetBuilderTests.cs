using VkResNet.Graph.Ir;
using VkResNet.Graph.Models;
using VkResNet.Graph.Ops;
using Xunit;

namespace VkResNet.Graph.Tests.Models;

public class ResNetBuilderTests
{
    static IEnumerable<string> StateNames(ResNetModel m) => m.Graph.ReferencedTensors()
        .Where(t => t.Kind is TensorKind.Parameter or TensorKind.RunningStat).Select(t => t.Name);

    [Fact]
    public void ResNet18UsesTorchvisionStateDictNames()
    {
        var model = ResNetBuilder.Build(ResNetSpec.ResNet18(), 1, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: false));
        var expected = new List<string>();
        void Bn(string p) => expected.AddRange(new[] { "weight", "bias", "running_mean", "running_var" }.Select(s => $"{p}.{s}"));
        expected.Add("conv1.weight");
        Bn("bn1");
        for (int l = 1; l <= 4; l++)
            for (int b = 0; b < 2; b++)
            {
                string p = $"layer{l}.{b}";
                expected.Add($"{p}.conv1.weight"); Bn($"{p}.bn1");
                expected.Add($"{p}.conv2.weight"); Bn($"{p}.bn2");
                if (l > 1 && b == 0) { expected.Add($"{p}.downsample.0.weight"); Bn($"{p}.downsample.1"); }
            }
        expected.Add("fc.weight");
        expected.Add("fc.bias");
        Assert.Equal(expected.OrderBy(s => s, StringComparer.Ordinal), StateNames(model).OrderBy(s => s, StringComparer.Ordinal));
        Assert.Equal(62, model.Graph.Parameters.Count());
    }

    [Fact]
    public void ResNet50HasTorchvisionTensorCountsAndBottleneckShapes()
    {
        var model = ResNetBuilder.Build(ResNetSpec.ResNet50(), 1, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: false));
        Assert.Equal(161, model.Graph.Parameters.Count());
        Assert.Equal(106, model.Graph.ReferencedTensors().Count(t => t.Kind == TensorKind.RunningStat));
        var g = model.Graph;
        Assert.Equal(new TensorShape(128, 256, 1, 1), g["layer2.0.conv1.weight"].Shape);
        Assert.Equal(new TensorShape(512, 256, 1, 1), g["layer2.0.downsample.0.weight"].Shape);
        // torchvision (v1.5) puts the stride on the 3x3; the option moves it to the first 1x1.
        Assert.Equal(2, g.Ops.OfType<Conv2dOp>().Single(c => c.Name == "layer2.0.conv2").Stride);
        var v1 = ResNetBuilder.Build(ResNetSpec.ResNet50() with { StrideOnFirst1x1 = true }, 1, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: false));
        Assert.Equal(2, v1.Graph.Ops.OfType<Conv2dOp>().Single(c => c.Name == "layer2.0.conv1").Stride);
        Assert.Equal(1, v1.Graph.Ops.OfType<Conv2dOp>().Single(c => c.Name == "layer2.0.conv2").Stride);
    }

    [Fact]
    public void CifarModelsNameLinearFcAndHaveThreeStages()
    {
        var model = ResNetBuilder.Build(ResNetSpec.Cifar(20), 2, ResNetMode.Train);
        Assert.True(model.Graph.TryGetTensor("fc.weight", out var fc));
        Assert.Equal(new TensorShape(10, 64), fc.Shape);
        Assert.DoesNotContain(model.Graph.Tensors, t => t.Name.StartsWith("linear", StringComparison.Ordinal));
        Assert.Equal(["stem", "layer1", "layer2", "layer3", "avgpool", "logits"], model.Stages);
        Assert.Equal(TensorShape.Nchw(2, 64, 8, 8), model.Graph["layer3"].Shape);
        Assert.Equal(2, model.Graph.Ops.OfType<ShortcutZeroPadOp>().Count());
    }

    [Theory]
    [InlineData(ShortcutOption.A, 0, 2)]
    [InlineData(ShortcutOption.B, 2, 0)]
    [InlineData(ShortcutOption.C, 9, 0)]
    public void ShortcutOptionsPlaceProjectionsOrZeroPads(ShortcutOption option, int projections, int zeroPads)
    {
        var model = ResNetBuilder.Build(ResNetSpec.Cifar(20, shortcut: option), 1, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: false));
        Assert.Equal(projections, model.Graph.Ops.OfType<Conv2dOp>().Count(c => c.Name.EndsWith("downsample.0", StringComparison.Ordinal)));
        Assert.Equal(zeroPads, model.Graph.Ops.OfType<ShortcutZeroPadOp>().Count());
    }

    [Theory]
    [InlineData(18)]
    [InlineData(50)]
    public void PlainTwinHasTheSameLayersWithoutShortcuts(int depth)
    {
        var spec = ResNetSpec.ImageNet(depth);
        var res = ResNetBuilder.Build(spec, 1, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: false));
        var plain = ResNetBuilder.Build(spec.AsPlain(), 1, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: false));
        Assert.Empty(plain.Graph.Ops.OfType<AddOp>());
        Assert.DoesNotContain(plain.Graph.Ops, o => o.Name.Contains("downsample"));
        var resConvs = res.Graph.Ops.OfType<Conv2dOp>().Where(c => !c.Name.Contains("downsample")).Select(c => (c.Name, c.Weight.Shape, c.Stride));
        Assert.Equal(resConvs, plain.Graph.Ops.OfType<Conv2dOp>().Select(c => (c.Name, c.Weight.Shape, c.Stride)));
        Assert.Equal(res.Graph["logits"].Shape, plain.Graph["logits"].Shape);
        Assert.StartsWith("plain", spec.AsPlain().Name);
    }

    [Fact]
    public void AnyInputShapeAndClassCountBuild()
    {
        var spec = ResNetSpec.ResNet18(classes: 10).WithInput(1, 28, 28);
        var model = ResNetBuilder.Build(spec, 3, ResNetMode.Train);
        Assert.Equal(new TensorShape(64, 1, 7, 7), model.Graph["conv1.weight"].Shape);
        Assert.Equal(TensorShape.Nchw(3, 512, 1, 1), model.Graph["layer4"].Shape);
        Assert.Equal(new TensorShape(3, 10), model.Logits.Shape);
    }

    [Fact]
    public void BadDepthsAreRejectedWithAClearMessage()
    {
        Assert.Contains("6n+2", Assert.Throws<ArgumentException>(() => ResNetSpec.Cifar(21)).Message);
        Assert.Contains("18, 34, 50", Assert.Throws<ArgumentException>(() => ResNetSpec.ImageNet(42)).Message);
    }
}
