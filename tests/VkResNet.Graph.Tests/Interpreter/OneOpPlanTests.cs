using VkResNet.Graph.Checking;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;
using VkResNet.Graph.Tests.Reference;
using Xunit;
using static VkResNet.Graph.Tests.Reference.OpsTestKit;

namespace VkResNet.Graph.Tests.Interpreter;

/// <summary>
/// The PlanInterpreter runs a one-op graph (what per-op fixture tests need): the op survives planning when its output
/// is marked, and its result at the planned offset equals the op's reference run on its own arrays.
/// </summary>
public sealed class OneOpPlanTests
{
    [Fact]
    public void A_one_op_graph_runs_through_the_plan_interpreter()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", TensorShape.Nchw(2, 3, 7, 5));
        var y = g.Conv2d("conv", x, 5, 3, stride: 2, pad: 1);
        g.MarkOutput(y);
        var plan = Compiler.GraphCompiler.Plan(g.Graph);
        Assert.Single(plan.Passes);
        var interp = new PlanInterpreter(g.Graph, plan);
        var xv = Random((int)x.Shape.ElementCount, 1);
        var wv = Random((int)g.Graph["conv.weight"].Shape.ElementCount, 2);
        xv.CopyTo(interp[x]);
        wv.CopyTo(interp[g.Graph["conv.weight"]]);
        interp.Run();

        var alone = new TensorValues();
        alone.Set(x, xv);
        alone.Set(g.Graph["conv.weight"], wv);
        g.Graph.Ops[0].Reference(alone);
        AssertClose(alone.Get(y), interp[y].ToArray(), 1e-12, 1e-12, "y", "conv 3x3 s2 p1 on [2x3x7x5]");
        Assert.True(alone.Get(y).Sum(Math.Abs) > 0, "the conv output is all zero");
    }
}
