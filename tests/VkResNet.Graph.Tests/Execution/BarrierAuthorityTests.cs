using VkResNet.Graph.Compiler;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Models;
using VkResNet.Runtime;
using VkResNet.Runtime.Native;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Execution;

/// <summary>
/// One barrier authority: what recording emits is exactly what the plan decided. Before each pass: the plan's
/// <see cref="PlannedPass.BarrierBefore"/>; between the steps of a multi-dispatch pass: <see cref="BarrierPlanner.PlanSteps"/>
/// over the steps' declared bindings, computed here on its own from what the launchers declared; around them, the plan's
/// <see cref="GraphPlan.Edges"/> with the kinds <see cref="EdgeBarriers.Of"/> gives.
/// </summary>
[Collection(GpuCollection.Name)]
public sealed class BarrierAuthorityTests(GpuFixture gpu) : GpuTest(gpu)
{
    static readonly BarrierMasks ComputeToCompute = new(VkPipelineStage.ComputeShaderBit, VkPipelineStage.ComputeShaderBit,
        VkAccess.ShaderWriteBit, VkAccess.ShaderReadBit | VkAccess.ShaderWriteBit);

    [Theory]
    [InlineData(ResNetMode.Train, KernelVariant.Cpu, false)]
    [InlineData(ResNetMode.Train, KernelVariant.Gpu, false)]
    [InlineData(ResNetMode.Infer, KernelVariant.Cpu, false)]
    [InlineData(ResNetMode.Train, KernelVariant.Gpu, true)]
    public void Recording_emits_exactly_the_plans_barriers(ResNetMode mode, KernelVariant variant, bool full)
    {
        var model = ResNetBuilder.Build(ResNetSpec.Cifar(8, 10).WithInput(3, 12, 12), 3, mode);
        using var graph = CompiledGraph.Compile(Device, model.Graph, new CompileOptions { Variant = variant, FullBarriers = full });
        var plan = graph.Plan;
        Assert.Equal(full, plan.FullBarriers);

        // Record every pass again into a kept list, seeing both what the launchers declare and what reaches the list.
        var kept = new CommandList(Device);
        var declared = new List<Access[]>();
        using var recorder = new CommandRecorder(Device, kept, variant, plan.FullBarriers)
        {
            Observer = (_, bindings, _, _, _, _) => declared.Add(bindings.ToArray()),
        };
        var slices = graph.ResourceSlices;
        recorder.UsePlan(plan, slices, graph.Kernels);
        int expectedStepBarriers = 0, multiDispatch = 0;
        for (int i = 0; i < plan.Passes.Count; i++)
        {
            var pass = plan.Passes[i];
            int start = kept.Count;
            declared.Clear();
            recorder.Pass(graph.Graph.Ops[pass.OpIndex], pass);
            var events = Enumerable.Range(start, kept.Count - start).Select(k => Event(kept, k)).ToList();

            var steps = declared.Select(s => Accesses(s, slices)).ToList();
            var stepBarriers = BarrierPlanner.PlanSteps(steps, plan.FullBarriers);
            var expected = new List<string>();
            if (pass.BarrierBefore) expected.Add("barrier");
            for (int k = 0; k < steps.Count; k++)
            {
                if (stepBarriers[k]) expected.Add("barrier");
                expected.Add("dispatch");
            }
            expectedStepBarriers += stepBarriers.Count(b => b);
            if (steps.Count > 1) multiDispatch++;
            Assert.True(expected.SequenceEqual(events.Select(e => e.Barrier is null ? "dispatch" : "barrier")),
                $"pass {i} '{pass.Name}': planned [{string.Join(", ", expected)}], recorded [{string.Join(", ", events.Select(e => e.Barrier?.ToString() ?? "dispatch"))}]");
            Assert.All(events.Where(e => e.Barrier != null), e => Assert.Equal(ComputeToCompute, e.Barrier!.Value));
        }

        // The compiled graph's own list is the same passes between the plan's edges: after the uploads, around the readback.
        Assert.True(plan.Edges.Uploads, "the step uploads its input");
        Assert.True(plan.Edges.Readbacks, "the step reads its outputs back");
        var list = graph.Commands;
        var recorded = Enumerable.Range(0, list.Count).Select(list.BarrierAt).OfType<BarrierMasks>().ToList();
        Assert.Equal(plan.BarrierCount + expectedStepBarriers + plan.Edges.Count, graph.Barriers);
        Assert.Equal(graph.Barriers, recorded.Count);
        var before = plan.Edges.BeforePasses.Select(e => BarrierMasks.Of(EdgeBarriers.Of(e))).ToList();
        var after = plan.Edges.AfterPasses.Select(e => BarrierMasks.Of(EdgeBarriers.Of(e))).ToList();
        Assert.Equal([BarrierMasks.Of(BarrierKind.TransferToCompute)], before);
        Assert.Equal([BarrierMasks.Of(BarrierKind.ComputeToTransfer), BarrierMasks.Of(BarrierKind.TransferToHost)], after);
        Assert.Equal(before, recorded.Take(before.Count));
        Assert.Equal(after, recorded.TakeLast(after.Count));
        Assert.All(recorded.Skip(before.Count).SkipLast(after.Count), m => Assert.Equal(ComputeToCompute, m));
        Assert.Equal(expectedStepBarriers, graph.StepBarriers);
        Assert.Equal(recorder.Dispatches, graph.Dispatches);
        Assert.Equal(recorder.Dispatches, kept.DispatchCount);
        Assert.Equal(recorder.Barriers, kept.BarrierCount);
        if (full) Assert.Equal(graph.Dispatches, graph.Barriers - plan.Edges.Count); // one before every pass and every later step: one per dispatch
        if (mode == ResNetMode.Train) Assert.True(multiDispatch > 0, "the training step should have multi-dispatch passes (split-K, Winograd, flip)");
        if (mode == ResNetMode.Train && !full) Assert.True(expectedStepBarriers > 0, "no barrier inside any pass was planned");
    }

    [Fact]
    public void Scratch_is_a_planned_resource_and_its_users_declare_it()
    {
        var model = ResNetBuilder.Build(ResNetSpec.Cifar(8, 10).WithInput(3, 12, 12), 3, ResNetMode.Train);
        using var graph = CompiledGraph.Compile(Device, model.Graph, new CompileOptions { Variant = KernelVariant.Gpu });
        var plan = graph.Plan;
        Assert.True(plan.ScratchResource >= 0, "this step's kernels use scratch");
        Assert.Equal("scratch", plan.Resources[plan.ScratchResource].Name);
        var users = plan.Passes.Where(p => p.Scratch != null).ToList();
        Assert.NotEmpty(users);
        foreach (var p in plan.Passes)
        {
            long bytes = graph.Graph.Ops[p.OpIndex].ScratchBytes(graph.Kernels);
            Assert.Equal(bytes > 0, p.Scratch != null);
            if (p.Scratch is { } s)
            {
                Assert.Equal(plan.ScratchResource, s.Resource);
                Assert.True(s.Size >= bytes && s.Size <= plan.Resources[s.Resource].Bytes, $"{p.Name}: scratch {s} for {bytes} bytes");
            }
        }
        Assert.Equal(plan.Resources[plan.ScratchResource].Bytes, graph.Scratch!.Value.Size);
    }

    static PassAccesses Accesses(Access[] bindings, IReadOnlyList<BufferSlice> resources)
    {
        ByteRange Range(BufferSlice s)
        {
            for (int r = 0; r < resources.Count; r++)
                if (ReferenceEquals(resources[r].Buffer, s.Buffer)) return new ByteRange(r, s.Offset - resources[r].Offset, s.Size);
            throw new InvalidOperationException($"{s} is in none of the graph's resources");
        }
        return new(bindings.Where(a => a.Reads).Select(a => Range(a.Slice)).ToList(), bindings.Where(a => a.Writes).Select(a => Range(a.Slice)).ToList());
    }

    /// <summary>Command <paramref name="index"/> of the list: a barrier (its masks) or a dispatch; passes record no copies or fills.</summary>
    static (bool Dispatch, BarrierMasks? Barrier) Event(CommandList list, int index)
    {
        var barrier = list.BarrierAt(index);
        bool dispatch = list.DispatchesIn(index, index + 1) == 1;
        Assert.True(dispatch ^ barrier.HasValue, $"command {index} is neither a dispatch nor a barrier: passes record no copies or fills");
        return (dispatch, barrier);
    }
}
