// How to add an op (three files, as ggml's test-backend-ops):
//   1. The kernel(s): src/Shaders/<op>_forward.comp and <op>_backward.comp (the Runtime build compiles every .comp).
//   2. The op file: src/Graph/Ops/<Op>Op.cs holds the forward op and its backward op(s), each with its shape rule,
//      FLOPs, accesses, backward rule (Backward), double-precision CPU reference (Reference) and launch (Record:
//      push struct, argument checks, Dispatch), plus a GraphBuilder extension method that declares the op's
//      parameters and output (see AvgPool2dOp.cs). Nothing else in src/ changes: the compiler, autodiff, the plan
//      interpreter and VKRESNET_CHECK all go through the Op methods.
//   3. One row in Cases below: a name, an odd input shape and a lambda that applies the op to x.
// Each row is then checked three ways:
//   - Gpu_matches_the_reference: the row's graph (op, a small head down to a loss, the autodiff backward) runs on the
//     device with CompileOptions.Check, so every pass, forward and backward, is compared with its op's Reference
//     fed the device's own inputs to that pass;
//   - Backward_matches_finite_differences: the autodiff gradients of x and of every parameter, run by the
//     PlanInterpreter at planned offsets, against central differences of the loss;
//   - Launches_match_the_shaders: each pass records through a recorder that only logs; every dispatch names an embedded
//     kernel, binds exactly its bindings (texel bindings read-only) and pushes a struct of its block's size.
using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Ops;
using VkResNet.Graph.Tests.Interpreter;
using VkResNet.Runtime;
using VkResNet.Runtime.Native;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Kernels;

public sealed class OpTableTests(GpuFixture gpu) : GpuTest(gpu)
{
    /// <summary>One row: the op applied to x, a parameter of the given (odd) NCHW or [N, F] shape.</summary>
    public sealed record OpCase(string Name, int[] Input, Func<GraphBuilder, Tensor, Tensor> Apply);

    static readonly OpCase[] Cases =
    [
        new("relu", [2, 3, 5, 7], (g, x) => g.Relu("op", x)),
        new("maxpool 3x3 s2 p1", [2, 3, 9, 7], (g, x) => g.MaxPool("op", x)),
        new("conv 3x3 s2 p1", [2, 3, 9, 7], (g, x) => g.Conv2d("op", x, 5, 3, stride: 2, pad: 1)),
        new("batchnorm train", [3, 5, 3, 5], (g, x) => g.BatchNorm("op", x, BatchNormMode.Train)),
        // SyncBatchNorm's split passes (statistics, apply; backward statistics, backward apply) for one rank.
        new("sync batchnorm train", [3, 5, 3, 5], (g, x) => { g.SyncBatchNormRanks = 1; return g.BatchNorm("op", x, BatchNormMode.Train); }),
        new("sync bn+add+relu train", [3, 5, 3, 5], (g, x) => { g.SyncBatchNormRanks = 1; return g.BnAddRelu("op", x, g.Relu("residual", x)); }),
        new("shortcut zero-pad s2", [2, 3, 9, 7], (g, x) => g.ShortcutZeroPad("op", x, 7, 2)),
        new("avgpool2d 2x2 s2", [2, 3, 9, 7], (g, x) => g.AvgPool2d("op", x)),
        new("avgpool2d 3x3 s2", [1, 5, 11, 8], (g, x) => g.AvgPool2d("op", x, kernel: 3, stride: 2)),
    ];

    public static TheoryData<string> Names => new(Cases.Select(c => c.Name));

    const int Classes = 4;

    /// <summary>x -> op -> 3x3 conv -> relu -> global pool -> linear -> softmax CE (the head makes dL/dy vary per cell), and the backward.</summary>
    static (FrameGraph Graph, Tensor X, Tensor Loss, Tensor Labels, IReadOnlyDictionary<Tensor, Tensor> Grads) Build(string name)
    {
        var c = Cases.Single(k => k.Name == name);
        var g = new GraphBuilder();
        var x = g.Parameter("x", new TensorShape(c.Input), ParameterInit.None);
        var y = c.Apply(g, x);
        var h = y.Shape.Rank == 4 ? g.GlobalAvgPool("head.pool", g.Relu("head.relu", g.Conv2d("head.conv", y, 3, 3, pad: 1))) : y;
        var logits = g.Linear("head.fc", h, Classes);
        var labels = g.Labels("labels", c.Input[0]);
        var loss = g.SoftmaxCrossEntropy("loss", logits, labels, 0.1f);
        return (g.Graph, x, loss, labels, AutodiffPass.AppendBackward(g, loss));
    }

    static IEnumerable<(Tensor T, double[] Values)> Data(FrameGraph graph, int seed)
    {
        var rng = new Random(seed);
        foreach (var t in graph.ReferencedTensors().Where(t => t.Kind is TensorKind.Parameter or TensorKind.RunningStat))
        {
            var v = new double[t.Shape.ElementCount];
            for (int i = 0; i < v.Length; i++) v[i] = (float)(t.Init == ParameterInit.Ones ? 1 + 0.2 * ModelData.Normal(rng) : 0.5 * ModelData.Normal(rng));
            yield return (t, v);
        }
    }

    static int[] Labels(Tensor labels) => Enumerable.Range(0, labels.Shape[0]).Select(i => (3 * i + 1) % Classes).ToArray();

    [Theory, MemberData(nameof(Names))]
    public void Gpu_matches_the_reference(string name)
    {
        var (graph, _, _, labels, _) = Build(name);
        using var step = CompiledGraph.Compile(Device, graph, new CompileOptions { Check = true });
        foreach (var (t, v) in Data(graph, 3)) step.Write(t, Array.ConvertAll(v, d => (float)d));
        Labels(labels).CopyTo(step.Labels(labels));
        step.Run(); // throws NodeCheckException naming the first pass off its op's reference
        var report = step.LastCheck!;
        Assert.Equal(step.Plan.Passes.Count, report.Count);
        Assert.Contains(report, p => p.Op == "op");
        Assert.Contains(report, p => p.Op.StartsWith("op.backward", StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(Names))]
    public void Backward_matches_finite_differences(string name)
    {
        var (graph, x, loss, labels, grads) = Build(name);
        var interp = new PlanInterpreter(graph, Compiler.GraphCompiler.Plan(graph));
        foreach (var (t, v) in Data(graph, 5)) v.CopyTo(interp[t]);
        var l = interp[labels];
        var lv = Labels(labels);
        for (int i = 0; i < lv.Length; i++) l[i] = lv[i];
        double Loss()
        {
            interp.Run(optimizer: false);
            return interp[loss][0];
        }
        Loss();
        Assert.Contains(x, grads.Keys);
        var analytic = grads.ToDictionary(kv => kv.Key, kv => interp[kv.Value].ToArray());
        const double h = 1e-5, atol = 1e-7, rtol = 1e-4;
        var rng = new Random(9);
        var bad = new List<string>();
        int count = 0;
        foreach (var (p, g) in analytic)
            foreach (int i in Enumerable.Range(0, 8).Select(_ => rng.Next(g.Length)).Distinct())
            {
                double keep = interp[p][i];
                interp[p][i] = keep + h;
                double up = Loss();
                interp[p][i] = keep - h;
                double down = Loss();
                interp[p][i] = keep;
                double fd = (up - down) / (2 * h);
                count++;
                if (!(Math.Abs(fd - g[i]) <= atol + rtol * Math.Abs(fd)))
                    bad.Add($"{p.Name}[{i}]: autodiff {g[i]:G9}, finite difference {fd:G9}");
            }
        Assert.True(bad.Count == 0, $"{name}: {bad.Count} of {count} gradient entries differ\n" + string.Join("\n", bad.Take(10)));
        Assert.True(analytic[x].Sum(Math.Abs) > 0, $"{name}: the gradient of x is all zero");
    }

    sealed record Call(string Kernel, Access[] Bindings, int PushBytes);


    [Theory, MemberData(nameof(Names))]
    public void Launches_match_the_shaders(string name)
    {
        var (graph, _, _, _, _) = Build(name);
        var plan = Compiler.GraphCompiler.Plan(graph);
        // Launches are logged, not run (conv launchers read the device's limits, so the recorder has the device).
        var calls = new List<Call>();
        var logging = CommandRecorder.Observing(Device, KernelVariant.Cpu, (kernel, bindings, pushBytes, _, _, _) => calls.Add(new Call(kernel, bindings.ToArray(), pushBytes)));
        logging.UsePlan(plan, plan.Resources.Select(r => new BufferSlice(null!, 0, Math.Max(16, r.Bytes))).ToList(), scratch: new BufferSlice(null!, 0, 64 << 20));
        foreach (var pass in plan.Passes)
        {
            var op = graph.Ops[pass.OpIndex];
            int before = calls.Count;
            op.Record(logging);
            Assert.True(calls.Count > before, $"{op} records no dispatch");
            foreach (var call in calls.Skip(before))
            {
                var iface = SpirvReflection.Parse(ShaderLibrary.Load(call.Kernel), call.Kernel);
                Assert.True(iface.Bindings.Count == call.Bindings.Length,
                    $"{op}: {call.Kernel} declares {iface.Bindings.Count} bindings, the launch binds {call.Bindings.Length}");
                Assert.True(iface.PushConstantBytes == call.PushBytes && call.PushBytes <= 128,
                    $"{op}: {call.Kernel} push block {iface.PushConstantBytes} bytes, C# struct {call.PushBytes}");
                for (int i = 0; i < call.Bindings.Length; i++)
                {
                    bool texel = iface.Bindings[i].Type is VkDescriptorType.UniformTexelBuffer or VkDescriptorType.StorageTexelBuffer;
                    Assert.True(!texel || call.Bindings[i].Kind == AccessKind.Read, $"{op}: {call.Kernel} texel binding {i} must be read-only");
                }
            }
        }
    }
}
