using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;
using Xunit;

namespace VkResNet.Graph.Tests.TorchOps;

/// <summary>
/// The product's CPU reference (<see cref="Checking.PlanInterpreter"/>, the oracle of the GPU tests) against
/// PyTorch, op by op, forward and backward, in float64 on odd shapes (tests/fixtures/torch_ops.safetensors).
///
/// How to check a new op against PyTorch:
/// 1. add a case method and its calls to build() in tests/reference/make_op_fixtures.py (odd shapes; forward
///    output, every input and parameter gradient from a seeded dy), and rerun the script
///    (`/usr/bin/python3 tests/reference/make_op_fixtures.py`; CI's <see cref="TorchOpFixtureScriptTests"/> checks the file against it);
/// 2. add a theory here: build the one-op graph with <see cref="OneOpGraph"/>, bind its inputs, expect its outputs,
///    call <see cref="OneOpGraph.SeededBackward"/> for the gradients, and <see cref="OneOpGraph.RunAndCompare"/>.
/// </summary>
public sealed class TorchOpTests
{
    public static TheoryData<string> Conv2d => TorchOpFixture.Names("conv2d");
    public static TheoryData<string> BnTrain => TorchOpFixture.Names("bn_train");
    public static TheoryData<string> BnInfer => TorchOpFixture.Names("bn_infer");
    public static TheoryData<string> BnAddRelu => TorchOpFixture.Names("bn_add_relu");
    public static TheoryData<string> MaxPool => TorchOpFixture.Names("max_pool");
    public static TheoryData<string> GlobalAvgPool => TorchOpFixture.Names("global_avg_pool");
    public static TheoryData<string> Shortcut => TorchOpFixture.Names("shortcut_zero_pad");
    public static TheoryData<string> Linear => TorchOpFixture.Names("linear");
    public static TheoryData<string> SoftmaxCe => TorchOpFixture.Names("softmax_cross_entropy");
    public static TheoryData<string> Sgd => TorchOpFixture.Names("sgd");
    public static TheoryData<string> ConvBiasReluAdd => TorchOpFixture.Names("conv_bias_relu_add");
    public static TheoryData<string> Relu => TorchOpFixture.Names("relu");
    public static TheoryData<string> Add => TorchOpFixture.Names("add");

    /// <summary>The inference fusion (forward only): [relu](conv(x, w) + bias [+ residual]).</summary>
    [Theory, MemberData(nameof(ConvBiasReluAdd))]
    public void ConvBiasReluAdd_matches_PyTorch(string name)
    {
        var g = new OneOpGraph(TorchOpFixture.Get(name));
        var c = g.Case;
        var r = c.Bool("residual") ? g.Input("residual") : null;
        var y = g.B.ConvBiasReluAdd("conv", g.Input("x"), c.Int("cout"), c.Int("kernel"), c.Int("stride"), c.Int("pad"), r, c.Bool("relu"));
        g.Bind(g.B.Graph["conv.weight"], "weight");
        g.Bind(g.B.Graph["conv.bias"], "bias");
        g.Expect(y, "y");
        Assert.Equal(1, g.RunAndCompare());
    }

    [Theory, MemberData(nameof(Relu))]
    public void Relu_forward_and_backward_match_PyTorch(string name)
    {
        var g = new OneOpGraph(TorchOpFixture.Get(name));
        var x = g.Input("x");
        g.CompareUnary(x, g.B.Relu("relu", x));
    }

    [Theory, MemberData(nameof(Add))]
    public void Residual_add_forward_and_backward_match_PyTorch(string name)
    {
        var g = new OneOpGraph(TorchOpFixture.Get(name));
        var a = g.Input("a");
        var b = g.Input("b");
        var y = g.B.Add("add", a, b);
        // The add's backward is no pass: both inputs' gradient is dy itself, which is what torch says.
        var grads = g.SeededBackward(g.SingleForwardOp(), y, a, b);
        var dy = g.B.Graph["dy"];
        Assert.All(grads, t => Assert.Same(dy, t));
        g.Unbind(dy);
        g.AssertClose(g.Case["da"], g.Case["dy"], "torch da vs dy");
        g.AssertClose(g.Case["db"], g.Case["dy"], "torch db vs dy");
        g.Expect(y, "y");
        Assert.Equal(1, g.RunAndCompare());
    }

    [Theory, MemberData(nameof(Conv2d))]
    public void Conv2d_forward_and_backward_match_PyTorch(string name)
    {
        var g = new OneOpGraph(TorchOpFixture.Get(name));
        var c = g.Case;
        var x = g.Input("x");
        bool bias = c.Bool("bias");
        var y = g.B.Conv2d("conv", x, c.Int("cout"), c.Int("kernel"), c.Int("stride"), c.Int("pad"), bias);
        CompareWeighted(g, "conv", x, y, bias);
    }

    [Theory, MemberData(nameof(BnTrain))]
    public void BatchNorm_train_matches_PyTorch_with_saved_and_running_stats(string name) => BatchNormTrain(name, residual: false);

    [Theory, MemberData(nameof(BnAddRelu))]
    public void BnAddRelu_matches_PyTorch_relu_of_bn_plus_residual(string name) => BatchNormTrain(name, residual: true);

    static void BatchNormTrain(string name, bool residual)
    {
        var g = new OneOpGraph(TorchOpFixture.Get(name));
        var c = g.Case;
        var x = g.Input("x");
        var r = residual ? g.Input("residual") : null;
        var y = residual
            ? g.B.BnAddRelu("bn", x, r!, c.Double("eps"), c.Double("momentum"))
            : g.B.BatchNorm("bn", x, BatchNormMode.Train, c.Double("eps"), c.Double("momentum"));
        var (gamma, beta, rm, rv) = BindBatchNorm(g);
        Tensor[] wrt = residual ? [x, gamma, beta, r!] : [x, gamma, beta];
        var grads = g.SeededBackward(g.SingleForwardOp(), y, wrt);
        g.Expect(y, "y");
        g.Expect(g.B.Graph["bn.saved_mean"], "saved_mean");
        g.Expect(g.B.Graph["bn.saved_invstd"], "saved_invstd");
        g.Expect(rm, "running_mean_out");
        g.Expect(rv, "running_var_out");
        g.Expect(grads[0], "dx");
        g.Expect(grads[1], "dgamma");
        g.Expect(grads[2], "dbeta");
        if (residual) g.Expect(grads[3], "dresidual");
        Assert.Equal(residual ? 9 : 8, g.RunAndCompare());
    }

    static (Tensor Gamma, Tensor Beta, Tensor RunningMean, Tensor RunningVar) BindBatchNorm(OneOpGraph g) =>
        (g.Bind(g.B.Graph["bn.weight"], "gamma"), g.Bind(g.B.Graph["bn.bias"], "beta"),
         g.Bind(g.B.Graph["bn.running_mean"], "running_mean"), g.Bind(g.B.Graph["bn.running_var"], "running_var"));

    [Theory, MemberData(nameof(BnInfer))]
    public void BatchNorm_inference_matches_PyTorch(string name)
    {
        var g = new OneOpGraph(TorchOpFixture.Get(name));
        var y = g.B.BatchNorm("bn", g.Input("x"), BatchNormMode.Infer, g.Case.Double("eps"));
        var (_, _, rm, rv) = BindBatchNorm(g);
        g.Expect(y, "y");
        g.Expect(rm, "running_mean");     // inference leaves the running statistics alone
        g.Expect(rv, "running_var");
        Assert.Equal(3, g.RunAndCompare());
    }

    [Theory, MemberData(nameof(MaxPool))]
    public void MaxPool_forward_indices_and_backward_match_PyTorch(string name)
    {
        var g = new OneOpGraph(TorchOpFixture.Get(name));
        var c = g.Case;
        var x = g.Input("x");
        var y = g.B.MaxPool("pool", x, c.Int("kernel"), c.Int("stride"), c.Int("pad"));
        var dx = g.SeededBackward(g.SingleForwardOp(), y, x)[0];
        g.Expect(y, "y");
        g.Expect(g.B.Graph["pool.indices"], "indices");
        g.Expect(dx, "dx");
        Assert.Equal(3, g.RunAndCompare());
    }

    [Theory, MemberData(nameof(GlobalAvgPool))]
    public void GlobalAvgPool_forward_and_backward_match_PyTorch(string name)
    {
        var g = new OneOpGraph(TorchOpFixture.Get(name));
        var x = g.Input("x");
        g.CompareUnary(x, g.B.GlobalAvgPool("gap", x));
    }

    [Theory, MemberData(nameof(Shortcut))]
    public void OptionA_shortcut_forward_and_backward_match_PyTorch(string name)
    {
        var g = new OneOpGraph(TorchOpFixture.Get(name));
        var x = g.Input("x");
        g.CompareUnary(x, g.B.ShortcutZeroPad("shortcut", x, g.Case.Int("cout"), g.Case.Int("stride")));
    }

    [Theory, MemberData(nameof(Linear))]
    public void Linear_forward_and_backward_match_PyTorch(string name)
    {
        var g = new OneOpGraph(TorchOpFixture.Get(name));
        bool bias = g.Case.Bool("bias");
        var x = g.Input("x");
        var y = g.B.Linear("fc", x, g.Case.Int("out_features"), bias);
        CompareWeighted(g, "fc", x, y, bias);
    }

    /// <summary>An op x -> y with "{prefix}.weight" (and "{prefix}.bias"): y and the gradients of x, the weight and the bias.</summary>
    static void CompareWeighted(OneOpGraph g, string prefix, Tensor x, Tensor y, bool bias)
    {
        var w = g.Bind(g.B.Graph[$"{prefix}.weight"], "weight");
        Tensor[] wrt = bias ? [x, w, g.Bind(g.B.Graph[$"{prefix}.bias"], "bias")] : [x, w];
        var grads = g.SeededBackward(g.SingleForwardOp(), y, wrt);
        g.Expect(y, "y");
        g.Expect(grads[0], "dx");
        g.Expect(grads[1], "dw");
        if (bias) g.Expect(grads[2], "db");
        Assert.Equal(bias ? 4 : 3, g.RunAndCompare());
    }

    /// <summary>The loss op is the root here, so its backward comes from the real autodiff pass (logits as a parameter).</summary>
    [Theory, MemberData(nameof(SoftmaxCe))]
    public void SoftmaxCrossEntropy_loss_and_gradient_match_PyTorch(string name)
    {
        var g = new OneOpGraph(TorchOpFixture.Get(name));
        var c = g.Case;
        var logits = g.Bind(g.B.Parameter("logits", c.Shape("logits"), ParameterInit.None), "logits");
        var labels = g.Bind(g.B.Labels("labels", c.Shape("labels")[0]), "labels");
        var result = g.B.SoftmaxCrossEntropy("loss", logits, labels, (float)c.Double("label_smoothing"));
        Assert.Equal(c.Double("label_smoothing"), (double)(float)c.Double("label_smoothing"));  // the fixture used the float32 value
        var grads = AutodiffPass.AppendBackward(g.B, result);
        g.Expect(grads[logits], "dlogits");
        Assert.Equal(1, g.RunAndCompare());
        var r = g.Interpreter[result];
        g.AssertClose(c["loss"], r[..1], "loss (mean over the batch)");
        Assert.Equal(c["correct"][0], r[1]);
    }

    /// <summary>Three steps of SgdUpdate against torch.optim.SGD (dampening 0): the momentum buffer carries over, lr changes per step.</summary>
    [Theory, MemberData(nameof(Sgd))]
    public void SgdUpdate_matches_torch_optim_SGD_over_three_steps(string name)
    {
        var g = new OneOpGraph(TorchOpFixture.Get(name));
        var c = g.Case;
        var w = g.Bind(g.B.Parameter("w", c.Shape("w0"), ParameterInit.None), "w0");
        var grad = g.B.Input("grad", w.Shape);
        var velocity = g.B.OptimizerState("w.velocity", w.Shape);
        var lr = g.B.Input("lr", new TensorShape(1));
        float momentum = (float)c.Double("momentum"), decay = (float)c.Double("weight_decay");
        Assert.True(momentum == c.Double("momentum") && decay == c.Double("weight_decay"), "the fixture used float32 hyperparameters");
        g.B.Phase = OpPhase.Optimizer;
        g.B.Add(new SgdUpdateOp("sgd", w, grad, velocity, lr, momentum, decay, c.Bool("nesterov")));

        var run = g.Interpreter;
        c["w0"].CopyTo(run[w]);
        run[velocity].Clear();
        double[] lrs = c.Doubles("lrs");
        Assert.Equal(3, lrs.Length);
        for (int i = 0; i < lrs.Length; i++)
        {
            c[$"grad{i}"].CopyTo(run[grad]);
            run[lr][0] = lrs[i];
            run.Run(optimizer: true);
            g.AssertClose(c[$"w{i + 1}"], run[w], $"weight after step {i + 1}");
            if (momentum != 0)  // torch keeps no buffer without momentum (the op's velocity is then just the step)
                g.AssertClose(c[$"v{i + 1}"], run[velocity], $"momentum buffer after step {i + 1}");
            else
                Assert.False(c.Has($"v{i + 1}"));
        }
    }

    [Fact]
    public void Fixture_covers_every_op_kind_with_several_cases()
    {
        string[] kinds = ["conv2d", "bn_train", "bn_infer", "bn_add_relu", "max_pool", "global_avg_pool", "avg_pool",
                          "shortcut_zero_pad", "linear", "softmax_cross_entropy", "sgd", "conv_bias_relu_add", "relu", "add"];
        foreach (var kind in kinds)
            Assert.True(TorchOpFixture.Cases.Count(c => c.Op == kind) >= 2, $"{TorchOpFixture.FileName} has fewer than 2 {kind} cases");
        Assert.Empty(TorchOpFixture.Cases.Select(c => c.Op).Except(kinds));
        // the conv coverage: 1x1, 3x3, 7x7; stride 1 and 2; an odd channel count of 13; a 9x7 map; bias
        var convs = TorchOpFixture.Cases.Where(c => c.Op == "conv2d").ToList();
        foreach (int k in new[] { 1, 3, 7 })
            foreach (int s in new[] { 1, 2 })
                Assert.Contains(convs, c => c.Int("kernel") == k && c.Int("stride") == s);
        Assert.Contains(convs, c => c.Shape("x")[1] == 13 || c.Int("cout") == 13);
        Assert.Contains(convs, c => c.Shape("x")[2] == 9 && c.Shape("x")[3] == 7);
        Assert.Contains(convs, c => c.Bool("bias"));
        Assert.Contains(TorchOpFixture.Cases, c => c.Op == "sgd" && c.Bool("nesterov") && c.Double("weight_decay") > 0 && c.Double("momentum") > 0);
        Assert.Contains(TorchOpFixture.Cases, c => c.Op == "softmax_cross_entropy" && c.Double("label_smoothing") > 0);
    }
}
