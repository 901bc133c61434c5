using VkResNet.Graph.Ir;
using VkResNet.Graph.Models;
using VkResNet.Graph.Ops;
using VkResNet.Graph.Tests.Models;
using Xunit;

namespace VkResNet.Graph.Tests.Autodiff;

public class AutodiffStructureTests
{
    static ResNetModel Train(string tiny, bool fuse = false) =>
        ResNetBuilder.Build(TinyModels.Get(tiny), 3, ResNetMode.Train, new ResNetBuildOptions(FuseBnAddRelu: fuse));

    [Theory]
    [InlineData("basic-A")]
    [InlineData("bottleneck-B")]
    [InlineData("basic-C")]
    [InlineData("plain")]
    public void EveryParameterGetsAGradientAndOneSgdUpdate(string tiny)
    {
        var m = Train(tiny);
        var parameters = m.Graph.Tensors.Where(t => t.Kind == TensorKind.Parameter).ToList();
        Assert.Equal(parameters.OrderBy(p => p.Id.Index), m.Gradients.Keys.OrderBy(p => p.Id.Index));
        Assert.All(m.Gradients, kv => Assert.Equal(TensorKind.ParameterGradient, kv.Value.Kind));
        var sgd = m.Graph.Ops.OfType<SgdUpdateOp>().ToList();
        Assert.Equal(parameters.Count, sgd.Count);
        Assert.All(sgd, s => Assert.Equal($"{s.Weight.Name}.momentum_buffer", s.Velocity.Name));
        Assert.All(sgd, s => Assert.Equal(TensorKind.OptimizerState, s.Velocity.Kind));
    }

    [Fact]
    public void PhasesComeInOrderAndBackwardRunsInReverse()
    {
        var m = Train("basic-A");
        var ops = m.Graph.Ops;
        var phases = ops.Select(o => o.Phase).ToList();
        Assert.True(phases.SequenceEqual(phases.Order()), "forward, then backward, then optimizer");
        // The forward op each backward op differentiates appears in non-increasing program order.
        var forwardIndex = ops.Where(o => o.Phase == OpPhase.Forward).Select((o, i) => (o.Name, i)).ToDictionary();
        var origins = ops.Where(o => o.Phase == OpPhase.Backward && o is not AccumulateOp and not AddOp)
                         .Select(o => forwardIndex[o.Name[..o.Name.LastIndexOf('.')]]).ToList();
        Assert.True(origins.SequenceEqual(origins.OrderDescending()), string.Join(", ", origins));
    }

    [Theory]
    [InlineData("basic-A", 2)]       // stem output and layer1 output each feed a branch and a shortcut
    [InlineData("bottleneck-B", 2)]  // pool output and layer1 output feed a branch and a projection
    [InlineData("basic-C", 2)]
    [InlineData("plain", 0)]
    public void BranchingTensorsAccumulateTheirGradients(string tiny, int expected)
    {
        var m = Train(tiny);
        var sums = m.Graph.Ops.Where(o => o.Phase == OpPhase.Backward && o.Name.Contains(".grad_accumulate")).ToList();
        Assert.Equal(expected, sums.Count);
        Assert.All(sums, s => Assert.True(s is AccumulateOp or AddOp));
    }

    [Fact]
    public void ModelInputGetsNoGradient()
    {
        var m = Train("basic-A");
        Assert.DoesNotContain(m.Graph.Ops, o => o is Conv2dBackwardInputOp c && c.Name == "conv1.backward_input");
        Assert.Contains(m.Graph.Ops, o => o is Conv2dBackwardWeightOp c && c.Name == "conv1.backward_weight");
        Assert.False(m.Graph.TryGetTensor("input.grad", out _));
    }

    [Fact]
    public void FusedBlockEndsUseBnAddRelu()
    {
        var m = Train("basic-A", fuse: true);
        Assert.Equal(2, m.Graph.Ops.OfType<BnAddReluOp>().Count());
        Assert.Equal(2, m.Graph.Ops.OfType<BnAddReluBackwardOp>().Count());
        Assert.DoesNotContain(m.Graph.Ops, o => o is AddOp && o.Phase == OpPhase.Forward);
        Assert.True(m.Graph.TryGetTensor("layer1.0.bn2.running_var", out _));
    }
}
