using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Models;
using VkResNet.Graph.Ops;
using Xunit;
using Xunit.Abstractions;

namespace VkResNet.Graph.Tests.GraphCompiler;

public class ArenaAllocationTests(ITestOutputHelper output)
{
    /// <summary>Random DAGs of fake passes: 1-3 reads of earlier tensors, 1-2 fresh writes, some in-place updates.</summary>
    static FrameGraph RandomGraph(int seed, int ops)
    {
        var rng = new Random(seed);
        var g = new GraphBuilder();
        var tensors = new List<Tensor> { g.Input("in", new TensorShape(rng.Next(1, 300))) };
        for (int i = 0; i < ops; i++)
        {
            var reads = Enumerable.Range(0, rng.Next(1, 4)).Select(_ => tensors[rng.Next(Math.Max(0, tensors.Count - 8), tensors.Count)]).Distinct().ToList();
            var writes = Enumerable.Range(0, rng.Next(1, 3)).Select(k => rng.Next(10) == 0
                ? g.Output($"out{i}.{k}", new TensorShape(rng.Next(1, 500)))
                : g.Activation($"t{i}.{k}", new TensorShape(rng.Next(1, 500)))).ToList();
            var inPlace = rng.Next(6) == 0 ? reads.Where(t => t.IsTransient).Take(1).ToList() : [];
            g.Add(new FakeOp($"op{i}", reads.Except(inPlace), writes, inPlace));
            tensors.AddRange(writes);
        }
        g.MarkOutput(tensors[^1]);
        return g.Graph;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void RandomGraphsNeverAliasLiveTensors(int seed)
    {
        var plan = Compiler.GraphCompiler.Plan(RandomGraph(seed, 120));
        PlanChecks.NoLiveOverlap(plan);
        PlanChecks.ReadsSeeTheirWrites(plan);
        Assert.True(plan.ArenaBytes <= plan.Memory.TransientBytesWithoutAliasing);
    }

    [Fact]
    public void AllocatorReusesMemoryOfDeadTensors()
    {
        // a -> b -> c -> d chain of equal sizes: at most two are live at once.
        var reqs = Enumerable.Range(0, 4).Select(i => new ArenaRequest(1024, new Lifetime(i, i + 1))).ToList();
        var (offsets, arena) = ArenaAllocator.Allocate(reqs);
        Assert.Equal(2048, arena);
        Assert.NotEqual(offsets[0], offsets[1]);
        Assert.Equal(offsets[0], offsets[2]);
    }

    [Fact]
    public void ResNet50InferencePlanIsSafeAndCompact()
    {
        var model = ResNetBuilder.Build(ResNetSpec.ResNet50(), 1, ResNetMode.Infer);
        var plan = Compiler.GraphCompiler.Plan(model.Graph);
        PlanChecks.NoLiveOverlap(plan);
        PlanChecks.ReadsSeeTheirWrites(plan);
        output.WriteLine(plan.Memory.ToString());
        output.WriteLine($"passes {plan.Passes.Count}, barriers {plan.BarrierCount}");
        Assert.True(plan.Memory.ArenaOverLargest <= 3.0, $"arena is {plan.Memory.ArenaOverLargest:F2}x the largest activation\n{plan.Memory}");
        // Folding turns each BN's gamma+beta (2C) into the conv's bias (C): C fewer parameters per BN.
        var unfolded = ResNetBuilder.Build(ResNetSpec.ResNet50(), 1, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: false));
        long bnChannels = unfolded.Graph.Ops.OfType<Ops.BatchNormOp>().Sum(b => (long)b.X.Shape.C);
        Assert.Equal((25_557_032 - bnChannels) * 4, plan.Tensors.Where(t => t.Kind == TensorKind.Parameter).Sum(t => t.Shape.Bytes));
        Assert.False(plan.Memory.PersistentBytesByKind.ContainsKey(TensorKind.RunningStat));
    }

    [Fact]
    public void CifarTrainingPlanIsSafe()
    {
        var model = ResNetBuilder.Build(ResNetSpec.Cifar(20), 4, ResNetMode.Train);
        var plan = Compiler.GraphCompiler.Plan(model.Graph);
        Assert.Empty(plan.DroppedOps);
        PlanChecks.NoLiveOverlap(plan);
        PlanChecks.ReadsSeeTheirWrites(plan);
        output.WriteLine(plan.Memory.ToString());
        Assert.True(plan.ArenaBytes < plan.Memory.TransientBytesWithoutAliasing);
    }

    [Fact]
    public void PassesNothingReadsAreDropped()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", TensorShape.Nchw(1, 2, 4, 4));
        var used = g.Relu("used", x);
        g.Relu("unused", x);
        var y = g.Relu("y", used);
        g.MarkOutput(y);
        var plan = Compiler.GraphCompiler.Plan(g.Graph);
        Assert.Equal(["unused"], plan.DroppedOps);
        Assert.Equal(["used", "y"], plan.Passes.Select(p => p.Name));
    }
}
