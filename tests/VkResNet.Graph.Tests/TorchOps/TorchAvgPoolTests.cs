using VkResNet.Graph.Ops;
using Xunit;

namespace VkResNet.Graph.Tests.TorchOps;

/// <summary>
/// AvgPool2d (2x2, stride 2, pad 0, floor mode: torch's F.avg_pool2d default; the ResNet-D shortcut's pool) against
/// PyTorch, forward and backward, through the op's own reference (<see cref="AvgPool2dBuilder"/>).
/// </summary>
public sealed class TorchAvgPoolTests
{
    public static TheoryData<string> AvgPool => TorchOpFixture.Names("avg_pool");

    [Theory, MemberData(nameof(AvgPool))]
    public void AvgPool2d_forward_and_backward_match_PyTorch(string name)
    {
        var g = new OneOpGraph(TorchOpFixture.Get(name));
        var x = g.Input("x");
        g.CompareUnary(x, g.B.AvgPool2d("pool", x, g.Case.Int("kernel"), g.Case.Int("stride")));
    }
}
