using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;
using Xunit;

namespace VkResNet.Graph.Tests.Ir;

public class GraphBuilderTests
{
    [Theory]
    [InlineData(9, 7, 3, 2, 1, 5, 4)]
    [InlineData(13, 13, 1, 2, 0, 7, 7)]
    [InlineData(224, 224, 7, 2, 3, 112, 112)]
    [InlineData(5, 6, 3, 1, 1, 5, 6)]
    public void ConvShapeRuleAndMacs(int h, int w, int k, int s, int p, int ho, int wo)
    {
        var g = new GraphBuilder();
        var x = g.Input("x", TensorShape.Nchw(2, 13, h, w));
        var y = g.Conv2d("conv", x, 5, k, s, p);
        Assert.Equal(TensorShape.Nchw(2, 5, ho, wo), y.Shape);
        var op = Assert.IsType<Conv2dOp>(g.Graph.Ops.Single());
        Assert.Equal(2L * 5 * ho * wo * 13 * k * k, op.Macs);
        Assert.Equal(2 * op.Macs, op.Flops);
        Assert.Equal(new TensorShape(5, 13, k, k), g.Graph["conv.weight"].Shape);
    }

    [Theory]
    [InlineData(112, 56)]
    [InlineData(9, 5)]
    [InlineData(1, 1)]
    public void MaxPoolShapeRule(int hw, int expected)
    {
        var g = new GraphBuilder();
        var y = g.MaxPool("pool", g.Input("x", TensorShape.Nchw(1, 3, hw, hw)));
        Assert.Equal(TensorShape.Nchw(1, 3, expected, expected), y.Shape);
        Assert.Equal(ElementType.Int32, g.Graph["pool.indices"].ElementType);
    }

    [Fact]
    public void ZeroPadShortcutSubsamplesAndCentresTheInput()
    {
        var g = new GraphBuilder();
        var y = g.ShortcutZeroPad("sc", g.Input("x", TensorShape.Nchw(2, 16, 9, 7)), 32, 2);
        Assert.Equal(TensorShape.Nchw(2, 32, 5, 4), y.Shape);
        Assert.Equal(8, Assert.IsType<ShortcutZeroPadOp>(g.Graph.Ops.Single()).PadFront);
    }

    [Fact]
    public void TensorsAreAlignedTo16Bytes()
    {
        var t = new TensorShape(13);
        Assert.Equal(52, t.Bytes);
        Assert.Equal(64, t.AlignedBytes);
    }

    [Fact]
    public void ShapeErrorsNameTheOp()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", TensorShape.Nchw(1, 3, 4, 4));
        var tooBig = Assert.Throws<ArgumentException>(() => g.Conv2d("big", x, 8, 7, 1, 0));
        Assert.Contains("does not fit", tooBig.Message);
        var a = g.Relu("a", x);
        var b = g.Input("b", TensorShape.Nchw(1, 4, 4, 4));
        var add = Assert.Throws<ArgumentException>(() => g.Add("sum", a, b));
        Assert.Contains("'sum'", add.Message);
        Assert.Throws<ArgumentException>(() => g.Relu("a2", x, output: "a")); // duplicate tensor name
        Assert.Throws<ArgumentException>(() => new TensorShape(3, 0));
    }

    [Fact]
    public void AutodiffRejectsAnInferenceBatchNormOnTheGradientPath()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", TensorShape.Nchw(2, 3, 4, 4));
        var y = g.BatchNorm("bn", g.Conv2d("conv", x, 4, 3, 1, 1), BatchNormMode.Infer);
        var logits = g.Linear("fc", g.GlobalAvgPool("gap", y), 3);
        var loss = g.SoftmaxCrossEntropy("loss", logits, g.Labels("labels", 2));
        var e = Assert.Throws<NotSupportedException>(() => VkResNet.Graph.Autodiff.AutodiffPass.AppendBackward(g, loss));
        Assert.Contains("inference mode", e.Message);
    }
}
