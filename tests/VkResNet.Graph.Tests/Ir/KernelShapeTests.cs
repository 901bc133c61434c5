using VkResNet.Graph.Models;
using VkResNet.Graph.Ops;
using VkResNet.Graph.Tests.Models;
using Xunit;

namespace VkResNet.Graph.Tests.Ir;

/// <summary>The conv launch shapes the ops hand to the launchers agree with the IR shapes of their tensors.</summary>
public class KernelShapeTests
{
    [Theory]
    [InlineData("basic-A")]
    [InlineData("bottleneck-B")]
    public void ConvLaunchShapesMatchTheTensors(string tiny)
    {
        var m = ResNetBuilder.Build(TinyModels.Get(tiny), 3, ResNetMode.Train);
        int checkedOps = 0;
        foreach (var op in m.Graph.Ops)
        {
            switch (op)
            {
                case Conv2dOp c:
                    var s = Conv2dOp.Shape(c.X.Shape, c.Weight.Shape, c.Stride, c.Pad);
                    Assert.Equal((c.Y.Shape.H, c.Y.Shape.W, c.Y.Shape.C), (s.OutH, s.OutW, s.Cout));
                    Assert.Equal(c.Macs, s.Macs);
                    break;
                case Conv2dBackwardInputOp c:
                    var si = Conv2dOp.Shape(c.Dx.Shape, c.Weight.Shape, c.Stride, c.Pad);
                    Assert.Equal((c.Dy.Shape.ElementCount, c.Dx.Shape.ElementCount), (si.OutputElements, si.InputElements));
                    break;
                case Conv2dBackwardWeightOp c:
                    var sw = Conv2dOp.Shape(c.X.Shape, c.Dw.Shape, c.Stride, c.Pad);
                    Assert.Equal((c.Dy.Shape.ElementCount, c.Dw.Shape.ElementCount), (sw.OutputElements, sw.WeightElements));
                    break;
                default:
                    continue;
            }
            checkedOps++;
        }
        Assert.True(checkedOps >= 6, $"only {checkedOps} conv ops checked");
    }
}
