using VkResNet.Graph.Models;
using VkResNet.Graph.Ops;
using VkResNet.Graph.Tests.Models;
using Xunit;

namespace VkResNet.Graph.Tests.Ir;

/// <summary>The launcher shapes the ops hand over agree with the IR shapes of their tensors.</summary>
public class KernelShapeTests
{
    [Theory]
    [InlineData("basic-A")]
    [InlineData("bottleneck-B")]
    public void ConvAndPoolKernelShapesMatchTheTensors(string tiny)
    {
        var m = ResNetBuilder.Build(TinyModels.Get(tiny), 3, ResNetMode.Train);
        foreach (var op in m.Graph.Ops)
            switch (op)
            {
                case Conv2dOp c:
                    Assert.Equal((c.Y.Shape.H, c.Y.Shape.W, c.Y.Shape.C), (c.KernelShape.OutH, c.KernelShape.OutW, c.KernelShape.Cout));
                    Assert.Equal(c.Macs, c.KernelShape.Macs);
                    break;
                case Conv2dBackwardInputOp c:
                    Assert.Equal(c.Dy.Shape.ElementCount, c.KernelShape.OutputElements);
                    Assert.Equal(c.Dx.Shape.ElementCount, c.KernelShape.InputElements);
                    break;
                case Conv2dBackwardWeightOp c:
                    Assert.Equal(c.Dy.Shape.ElementCount, c.KernelShape.OutputElements);
                    Assert.Equal(c.Dw.Shape.ElementCount, c.KernelShape.WeightElements);
                    break;
                case ShortcutZeroPadOp s:
                    Assert.Equal(s.Y.Shape.C, s.KernelShape.Cout);
                    break;
                case LinearOp l:
                    Assert.Equal(l.Y.Shape.ElementCount, (long)l.KernelShape.N * l.KernelShape.Out);
                    break;
            }
    }
}
