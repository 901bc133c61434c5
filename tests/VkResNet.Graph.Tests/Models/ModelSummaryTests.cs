using VkResNet.Graph.Ir;
using VkResNet.Graph.Models;
using Xunit;

namespace VkResNet.Graph.Tests.Models;

public class ModelSummaryTests
{
    // torchvision parameter counts; MAC ranges from the published GFLOP (multiply-add) figures.
    [Theory]
    [InlineData(18, 11_689_512, 1.75, 1.85)]
    [InlineData(34, 21_797_672, 3.55, 3.70)]
    [InlineData(50, 25_557_032, 3.80, 4.10)]
    [InlineData(101, 44_549_160, 7.60, 7.90)]
    [InlineData(152, 60_192_808, 11.30, 11.60)]
    public void ImageNetResNetsMatchPublishedFigures(int depth, long parameters, double minGMacs, double maxGMacs)
    {
        var summary = ModelSummary.Of(ResNetSpec.ImageNet(depth));
        double gmacs = summary.MacsPerImage / 1e9;
        Assert.True(summary.Parameters == parameters, $"resnet{depth}: {summary.Parameters:N0} parameters, expected {parameters:N0}\n{summary}");
        Assert.True(gmacs >= minGMacs && gmacs <= maxGMacs, $"resnet{depth}: {gmacs:F3} G MACs, expected {minGMacs}..{maxGMacs}\n{summary}");
    }

    // He et al. Table 6, option A, 10 classes, 3x32x32; figures as printed (2 or 1 decimals of millions).
    [Theory]
    [InlineData(20, 0.27, 0.005)]
    [InlineData(32, 0.46, 0.005)]
    [InlineData(44, 0.66, 0.005)]
    [InlineData(56, 0.85, 0.005)]
    [InlineData(110, 1.7, 0.05)]
    [InlineData(1202, 19.4, 0.05)]
    public void CifarResNetsMatchThePaper(int depth, double millions, double rounding)
    {
        var summary = ModelSummary.Of(ResNetSpec.Cifar(depth));
        double m = summary.Parameters / 1e6;
        Assert.True(Math.Abs(m - millions) <= rounding, $"cifar-resnet{depth}: {summary.Parameters:N0} parameters, paper says {millions} M");
    }

    [Fact]
    public void ResNet50StageShapesFollowTorchvision()
    {
        var summary = ModelSummary.Of(ResNetSpec.ResNet50());
        var shapes = summary.Stages.ToDictionary(s => s.Stage, s => s.OutputShape!.Value);
        Assert.Equal(["stem", "pool", "layer1", "layer2", "layer3", "layer4", "avgpool", "logits"], summary.Stages.Select(s => s.Stage));
        Assert.Equal(TensorShape.Nchw(1, 64, 112, 112), shapes["stem"]);
        Assert.Equal(TensorShape.Nchw(1, 64, 56, 56), shapes["pool"]);
        Assert.Equal(TensorShape.Nchw(1, 256, 56, 56), shapes["layer1"]);
        Assert.Equal(TensorShape.Nchw(1, 512, 28, 28), shapes["layer2"]);
        Assert.Equal(TensorShape.Nchw(1, 1024, 14, 14), shapes["layer3"]);
        Assert.Equal(TensorShape.Nchw(1, 2048, 7, 7), shapes["layer4"]);
        Assert.Equal(new TensorShape(1, 2048), shapes["avgpool"]);
        Assert.Equal(new TensorShape(1, 1000), shapes["logits"]);
        Assert.Equal(2048 * 1000 + 1000, summary.Stages.Single(s => s.Stage == "logits").Parameters);
    }

    [Fact]
    public void SummaryPrintsEveryStageAndTotal()
    {
        string text = ModelSummary.Of(ResNetSpec.Cifar(20)).ToString();
        foreach (var stage in new[] { "stem", "layer1", "layer2", "layer3", "avgpool", "logits", "total" })
            Assert.Contains(stage, text);
        Assert.Contains("[1x64x8x8]", text);
    }
}
