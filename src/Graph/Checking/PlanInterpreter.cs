using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Checking;

/// <summary>
/// Runs a compiled plan on the CPU in double precision, with every tensor at its planned offset inside
/// its resource (one double per 4 bytes). Transients therefore really share the arena, so a wrong
/// aliasing plan corrupts results; the arena starts as NaN so reading a never-written byte shows up.
/// Each pass runs its op's own <see cref="Op.Reference"/> (the op file holds it, beside the op's kernels). The autodiff finite-difference tests use it, and
/// VKRESNET_CHECK=1 runs each pass through it to check the GPU's result (<see cref="Execution.CompiledGraph"/>).
/// </summary>
public sealed class PlanInterpreter : ReferenceContext
{
    readonly FrameGraph graph;
    readonly GraphPlan plan;

    public PlanInterpreter(FrameGraph graph, GraphPlan plan)
    {
        this.graph = graph;
        this.plan = plan;
        Memory = plan.Resources.Select(r => new double[r.Bytes / 4]).ToArray();
        Array.Fill(Memory[GraphPlan.ArenaResource], double.NaN);
    }

    public double[][] Memory { get; }

    public override Span<double> this[Tensor t]
    {
        get
        {
            var p = plan.Placement(t.Id);
            return Memory[p.Resource].AsSpan((int)(p.Offset / 4), (int)t.Shape.ElementCount);
        }
    }

    public Span<double> this[string name] => this[graph[name]];

    /// <summary>Runs the passes in plan order, skipping the phases not asked for.</summary>
    public void Run(bool optimizer = true)
    {
        Array.Fill(Memory[GraphPlan.ArenaResource], double.NaN);
        foreach (var pass in plan.Passes)
            if (optimizer || pass.Phase != OpPhase.Optimizer)
                Execute(graph.Ops[pass.OpIndex]);
    }

    /// <summary>Runs one op's reference on the current memory (its inputs as they are, its outputs overwritten or accumulated).</summary>
    public void Execute(Op op) => op.Reference(this);
}
