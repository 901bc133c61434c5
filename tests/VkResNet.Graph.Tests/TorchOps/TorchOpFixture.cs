using VkResNet.Graph.Ops;
using System.Text.Json;
using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Checking;
using VkResNet.Graph.IO;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Tests.Network;
using VkResNet.Graph.Tests.Reference;
using Xunit;

namespace VkResNet.Graph.Tests.TorchOps;

/// <summary>
/// tests/fixtures/torch_ops.safetensors (made by tests/reference/make_op_fixtures.py): float64 PyTorch
/// results per op case. A case's tensors are "{case}.{tensor}"; its parameters come from the metadata.
/// </summary>
public static class TorchOpFixture
{
    public const string FileName = "torch_ops.safetensors";

    static readonly Lazy<SafeTensorsFile> file = new(() => SafeTensorsFile.Read(Path.Combine(Fixture.Folder, FileName)));
    static readonly Lazy<IReadOnlyList<TorchOpCase>> cases = new(() =>
    {
        using var doc = JsonDocument.Parse(file.Value.Metadata["cases"]);
        return doc.RootElement.EnumerateArray().Select(e => new TorchOpCase(file.Value, e.Clone())).ToList();
    });

    public static IReadOnlyList<TorchOpCase> Cases => cases.Value;

    public static TorchOpCase Get(string name) => Cases.Single(c => c.Name == name);

    /// <summary>The case names of one op kind, as theory data (an empty kind fails: the file lost its cases).</summary>
    public static TheoryData<string> Names(string op)
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases.Where(c => c.Op == op))
            data.Add(c.Name);
        return data;
    }
}

/// <summary>One fixture case: its op kind, parameters and tensors.</summary>
public sealed class TorchOpCase(SafeTensorsFile file, JsonElement meta)
{
    public string Name { get; } = meta.GetProperty("name").GetString()!;
    public string Op { get; } = meta.GetProperty("op").GetString()!;

    public double[] this[string tensor] => file.ReadFloat64($"{Name}.{tensor}");
    public bool Has(string tensor) => file.Contains($"{Name}.{tensor}");
    public TensorShape Shape(string tensor) => new(file[$"{Name}.{tensor}"].Shape.Select(d => (int)d).ToArray());

    public int Int(string p) => meta.GetProperty(p).GetInt32();
    public double Double(string p) => meta.GetProperty(p).GetDouble();
    public bool Bool(string p) => meta.GetProperty(p).GetBoolean();
    public double[] Doubles(string p) => meta.GetProperty(p).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public override string ToString() => Name;
}

/// <summary>
/// A one-op graph (plus its seeded backward) run by <see cref="PlanInterpreter"/> at its planned offsets, then
/// every output compared with the fixture. Inputs are bound to fixture tensors; compared tensors are made
/// persistent first so the arena cannot reuse them before they are read.
/// </summary>
public sealed class OneOpGraph(TorchOpCase fx)
{
    /// <summary>float64 against float64: only summation order differs (|a - e| &lt;= Tight * (|e| + max|e|)).</summary>
    public const double Tight = 1e-12;

    readonly List<(Tensor Tensor, string Fixture)> inputs = [];
    readonly List<(Tensor Tensor, string Fixture)> expected = [];
    PlanInterpreter? interp;

    public GraphBuilder B { get; } = new();
    public TorchOpCase Case => fx;

    public Tensor Input(string fixture)
    {
        var t = B.Input(fixture, fx.Shape(fixture));
        return Bind(t, fixture);
    }

    /// <summary>Feeds <paramref name="t"/> from the fixture tensor before the run.</summary>
    public Tensor Bind(Tensor t, string fixture)
    {
        Assert.True(t.Shape == fx.Shape(fixture), $"{fx.Name}: graph tensor {t} vs fixture {fixture} {fx.Shape(fixture)}");
        inputs.Add((t, fixture));
        return t;
    }

    /// <summary>Stops feeding <paramref name="t"/> (a bound tensor that no planned pass uses).</summary>
    public void Unbind(Tensor t) => inputs.RemoveAll(i => i.Tensor == t);

    /// <summary>Compares <paramref name="t"/> with the fixture tensor after the run.</summary>
    public void Expect(Tensor t, string fixture)
    {
        Assert.True(t.Shape.ElementCount == fx.Shape(fixture).ElementCount, $"{fx.Name}: graph tensor {t} vs fixture {fixture} {fx.Shape(fixture)}");
        if (t.IsTransient) t.Kind = TensorKind.Output;
        expected.Add((t, fixture));
    }

    /// <summary>
    /// Appends the backward of <paramref name="op"/> as autodiff would, seeded with dL/dy = the fixture's "dy"
    /// (an input tensor), and returns the gradient of each of <paramref name="wrt"/>.
    /// </summary>
    public Tensor[] SeededBackward(Op op, Tensor y, params Tensor[] wrt)
    {
        var dy = Input("dy");
        var ctx = new BackwardContext(B, [.. wrt, y]);
        ctx.Contribute(y, dy);
        var phase = B.Phase;
        B.Phase = OpPhase.Backward;
        ctx.Current = op;
        op.Backward(ctx);
        B.Phase = phase;
        return wrt.Select(t => ctx.GradOf(t) ?? throw new InvalidOperationException($"{op} gave no gradient for {t.Name}")).ToArray();
    }

    /// <summary>A parameterless op x -> y: compares y and dx (from the seeded dy) with the fixture.</summary>
    public void CompareUnary(Tensor x, Tensor y)
    {
        var dx = SeededBackward(SingleForwardOp(), y, x)[0];
        Expect(y, "y");
        Expect(dx, "dx");
        Assert.Equal(2, RunAndCompare());
    }

    public Op SingleForwardOp() => B.Graph.Ops.Single(o => o.Phase == OpPhase.Forward);

    public PlanInterpreter Interpreter => interp ??= Build();

    PlanInterpreter Build()
    {
        var plan = Compiler.GraphCompiler.Plan(B.Graph);
        return new PlanInterpreter(B.Graph, plan);
    }

    /// <summary>Writes the bound inputs, runs every pass, compares every expected tensor; returns the number compared.</summary>
    public int RunAndCompare()
    {
        var run = Interpreter;
        foreach (var (t, name) in inputs)
            fx[name].CopyTo(run[t]);
        run.Run();
        return Compare();
    }

    public int Compare()
    {
        foreach (var (t, name) in expected)
            AssertClose(fx[name], Interpreter[t], $"{t.Name} vs torch {name}");
        Assert.NotEmpty(expected);
        return expected.Count;
    }

    public void AssertClose(double[] want, ReadOnlySpan<double> got, string what)
    {
        double scale = want.Length == 0 ? 0 : want.Max(Math.Abs);
        OpsTestKit.AssertClose(want, got, Tight * scale + 1e-300, Tight, what, fx.Name);
    }
}
