using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;
using VkResNet.Runtime;
using Xunit;

namespace VkResNet.Graph.Tests.GraphCompiler;

public class BarrierPlannerTests
{
    static ByteRange R(long offset, long size, int resource = 0) => new(resource, offset, size);
    static PassAccesses P(ByteRange[] reads, ByteRange[] writes) => new(reads, writes);

    public static TheoryData<string, PassAccesses[], bool[]> Cases => new()
    {
        { "read after write", [P([], [R(0, 64)]), P([R(0, 64)], [R(64, 64)])], [false, true] },
        { "partial overlap counts", [P([], [R(0, 64)]), P([R(48, 32)], [R(128, 16)])], [false, true] },
        { "adjacent ranges do not", [P([], [R(0, 64)]), P([R(64, 64)], [R(128, 16)])], [false, false] },
        { "write after read", [P([R(0, 64)], [R(64, 16)]), P([], [R(0, 16)])], [false, true] },
        { "write after write", [P([], [R(0, 64)]), P([], [R(32, 64)])], [false, true] },
        { "read after read", [P([R(0, 64)], [R(64, 16)]), P([R(0, 64)], [R(80, 16)])], [false, false] },
        { "other resource, same offsets", [P([], [R(0, 64, 1)]), P([R(0, 64, 2)], [R(0, 64, 3)])], [false, false] },
        { "independent writers then a join", [P([], [R(0, 16)]), P([], [R(16, 16)]), P([R(0, 32)], [R(32, 16)])], [false, false, true] },
        { "a barrier covers everything before it", [P([], [R(0, 16)]), P([R(0, 16)], [R(16, 16)]), P([R(0, 16)], [R(32, 16)])], [false, true, false] },
        { "hazard against a pass before the last barrier is already covered",
          [P([], [R(0, 16)]), P([], [R(100, 16)]), P([R(100, 16)], [R(200, 16)]), P([R(0, 16)], [R(300, 16)])], [false, false, true, false] },
        { "read-write (in place) after a read", [P([R(0, 16)], [R(16, 16)]), P([R(0, 16)], [R(0, 16)])], [false, true] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void PlacesExactlyTheNeededBarriers(string name, PassAccesses[] passes, bool[] expected)
    {
        var got = BarrierPlanner.Plan(passes);
        Assert.True(expected.SequenceEqual(got), $"{name}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", got)}]");
    }

    /// <summary>On random sequences: every conflicting pair is separated by a barrier, and every barrier
    /// is forced by a conflict with a pass since the previous barrier.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomSequencesAreSafeAndMinimal(int seed)
    {
        var rng = new Random(seed);
        ByteRange Rand() => new(rng.Next(2), rng.Next(16) * 16, (rng.Next(4) + 1) * 16);
        var passes = Enumerable.Range(0, 200).Select(_ => P(
            Enumerable.Range(0, rng.Next(3)).Select(_ => Rand()).ToArray(),
            Enumerable.Range(0, rng.Next(1, 3)).Select(_ => Rand()).ToArray())).ToArray();
        var barrier = BarrierPlanner.Plan(passes);

        bool Conflict(PassAccesses a, PassAccesses b) =>
            a.Writes.Any(w => b.Reads.Concat(b.Writes).Any(w.Overlaps)) || a.Reads.Any(r => b.Writes.Any(r.Overlaps));
        int lastBarrier = 0;
        for (int j = 0; j < passes.Length; j++)
        {
            if (barrier[j])
            {
                Assert.True(Enumerable.Range(lastBarrier, j - lastBarrier).Any(i => Conflict(passes[i], passes[j])),
                    $"seed {seed}: barrier before pass {j} has no conflict since pass {lastBarrier}");
                lastBarrier = j;
            }
            for (int i = lastBarrier; i < j; i++)
                Assert.False(Conflict(passes[i], passes[j]) && !barrier[j] && i >= lastBarrier,
                    $"seed {seed}: passes {i} and {j} conflict with no barrier between them");
        }
    }

    [Fact]
    public void GraphPlanBarriersFollowDataflow()
    {
        // Two convolutions of one input run together; their sum needs the only barrier.
        var g = new GraphBuilder();
        var x = g.Input("x", TensorShape.Nchw(1, 3, 8, 8));
        var a = g.Conv2d("a", x, 4, 3, 1, 1);
        var b = g.Conv2d("b", x, 4, 1, 1, 0);
        var y = g.Add("sum", a, b);
        g.MarkOutput(y);
        var plan = Compiler.GraphCompiler.Plan(g.Graph);
        Assert.Equal([false, false, true], plan.Passes.Select(p => p.BarrierBefore));
        Assert.All(Compiler.GraphCompiler.Plan(g.Graph, new PlanOptions(FullBarriers: true)).Passes, p => Assert.True(p.BarrierBefore));
    }

    [Fact]
    public void The_steps_edges_follow_its_inputs_and_outputs()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", TensorShape.Nchw(1, 3, 8, 8));
        var y = g.Add("y", x, x);
        var kept = Compiler.GraphCompiler.Plan(g.Graph, new PlanOptions(DropDeadPasses: false));
        Assert.Equal(new StepEdges(Uploads: true, Readbacks: false), kept.Edges);
        Assert.Equal([PlanEdge.TransfersIn], kept.Edges.BeforePasses);
        Assert.Empty(kept.Edges.AfterPasses);
        Assert.Equal(1, kept.Edges.Count);

        g.MarkOutput(y);
        var plan = Compiler.GraphCompiler.Plan(g.Graph);
        Assert.Equal([PlanEdge.TransfersOut, PlanEdge.HostReads], plan.Edges.AfterPasses);
        Assert.Equal(3, plan.Edges.Count);
    }

    [Fact]
    public void Each_edge_takes_the_barrier_of_what_meets_there()
    {
        Assert.Equal(BarrierKind.TransferToCompute, EdgeBarriers.Of(PlanEdge.TransfersIn));
        Assert.Equal(BarrierKind.ComputeToTransfer, EdgeBarriers.Of(PlanEdge.TransfersOut));
        Assert.Equal(BarrierKind.TransferToHost, EdgeBarriers.Of(PlanEdge.HostReads));
        Assert.Equal(BarrierKind.Full, EdgeBarriers.Of(PlanEdge.Overwrite));
        Assert.Equal(BarrierKind.Full, EdgeBarriers.Of(PlanEdge.Submission));
        Assert.Equal(5, Enum.GetValues<PlanEdge>().Length); // a new edge gets its row above
        Assert.Throws<ArgumentOutOfRangeException>(() => EdgeBarriers.Of((PlanEdge)99));
    }

    [Fact]
    public void Passes_that_share_the_scratch_are_ordered_by_it()
    {
        // Two independent convolutions: no barrier between them, unless both use the one scratch buffer.
        var g = new GraphBuilder();
        var x = g.Input("x", TensorShape.Nchw(1, 3, 8, 8));
        var a = g.Add("a", x, x);
        var b = g.Add("b", x, x);
        g.MarkOutput(a);
        g.MarkOutput(b);
        var plan = Compiler.GraphCompiler.Plan(g.Graph);
        Assert.Equal([false, false], plan.Passes.Select(p => p.BarrierBefore));
        Assert.Equal(-1, plan.ScratchResource);

        var both = new ByteRange(plan.Resources.Count, 0, 64);
        var withScratch = plan.Passes.Select(p => PlannedPass.WithScratch(p.Reads, p.Writes, both)).ToList();
        Assert.Equal([false, true], BarrierPlanner.Plan(withScratch));
        Assert.Equal(2, withScratch[0].Reads.Count(r => r == both) + withScratch[0].Writes.Count(w => w == both));
    }

    public static TheoryData<string, PassAccesses[], bool, bool[]> StepCases => new()
    {
        // Winograd: weight transform -> u, input transform -> v, then the GEMM reads both.
        { "transforms then their GEMM", [P([R(0, 64)], [R(0, 32, 9)]), P([R(64, 64)], [R(32, 32, 9)]), P([R(0, 64, 9)], [R(128, 64)])], false, [false, false, true] },
        // Split-K: partial sums into scratch, then the reduce reads them.
        { "split-K then its reduce", [P([R(0, 64), R(64, 64)], [R(0, 256, 9)]), P([R(0, 256, 9)], [R(128, 16)])], false, [false, true] },
        { "independent steps", [P([R(0, 16)], [R(16, 16)]), P([R(0, 16)], [R(32, 16)])], false, [false, false] },
        { "the first step never: the pass's own barrier is the plan's", [P([R(0, 16)], [R(0, 16)])], false, [false] },
        { "full barriers: before every later step", [P([R(0, 16)], [R(16, 16)]), P([R(0, 16)], [R(32, 16)]), P([], [R(48, 16)])], true, [false, true, true] },
    };

    [Theory]
    [MemberData(nameof(StepCases))]
    public void Steps_inside_a_pass_get_exactly_the_needed_barriers(string name, PassAccesses[] steps, bool full, bool[] expected)
    {
        var got = BarrierPlanner.PlanSteps(steps, full);
        Assert.True(expected.SequenceEqual(got), $"{name}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", got)}]");
    }
}
