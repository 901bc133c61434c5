using VkResNet.Graph.Checking;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Tests.Reference;

/// <summary>
/// Runs ops' own double-precision references (<see cref="Op.Reference"/>, in src/Graph/Ops) on plain arrays: a
/// one-op graph is declared with <see cref="GraphBuilder"/>, its tensors are set by name, and every op of it runs
/// on a <see cref="TensorValues"/>. The tests hold no arithmetic of their own for an op.
/// </summary>
public sealed class OneOp
{
    public GraphBuilder Builder { get; } = new();
    public TensorValues Values { get; } = new();

    /// <summary>Declares an activation holding <paramref name="data"/>.</summary>
    public Tensor In(string name, TensorShape shape, double[] data)
    {
        var t = Builder.Activation(name, shape);
        Values.Set(t, data);
        return t;
    }

    /// <summary>Declares an int32 activation (labels, argmax indices) holding <paramref name="data"/>.</summary>
    public Tensor InInts(string name, TensorShape shape, int[] data)
    {
        var t = Builder.Activation(name, shape, ElementType.Int32);
        Values.Set(t, Array.ConvertAll(data, v => (double)v));
        return t;
    }

    /// <summary>Sets a tensor the builder made (a parameter or running statistic) by name.</summary>
    public OneOp Set(string name, double[] data)
    {
        Values.Set(Builder.Graph[name], data);
        return this;
    }

    /// <summary>Runs every op's reference in order.</summary>
    public OneOp Run()
    {
        foreach (var op in Builder.Graph.Ops)
            op.Reference(Values);
        return this;
    }

    public double[] this[string name] => (double[])Values.Get(Builder.Graph[name]).Clone();
    public double[] this[Tensor t] => (double[])Values.Get(t).Clone();

    public static TensorShape Shape(NchwShape s) => TensorShape.Nchw(s.N, s.C, s.H, s.W);
}

/// <summary>The array-level calls of the kernel tests, each one line onto an op's reference.</summary>
public static class OpRef
{
    public static double[] Conv2dForward(double[] x, double[] w, double[]? b, Conv2dShape s)
    {
        var y = new double[s.OutputElements];
        Conv2dOp.ReferenceForward(x, w, b, default, y, s, relu: false);
        return y;
    }

    public static double[] Conv2dBackwardInput(double[] dy, double[] w, Conv2dShape s)
    {
        var dx = new double[s.InputElements];
        Conv2dOp.ReferenceBackwardInput(dy, w, dx, s);
        return dx;
    }

    public static double[] Conv2dBackwardWeight(double[] dy, double[] x, Conv2dShape s)
    {
        var dw = new double[s.WeightElements];
        Conv2dOp.ReferenceBackwardWeight(dy, x, dw, default, s);
        return dw;
    }

    public static double[] Conv2dBackwardBias(double[] dy, Conv2dShape s)
    {
        var db = new double[s.Cout];
        Conv2dOp.ReferenceBackwardWeight(dy, new double[s.InputElements], new double[s.WeightElements], db, s);
        return db;
    }

    public static double[] LinearForward(double[] x, double[] w, double[]? b, int n, int inFeatures, int outFeatures)
    {
        var y = new double[n * outFeatures];
        LinearOp.ReferenceForward(x, w, b, y, new LinearShape(n, inFeatures, outFeatures));
        return y;
    }

    public static double[] LinearBackwardInput(double[] dy, double[] w, int n, int inFeatures, int outFeatures)
    {
        var dx = new double[n * inFeatures];
        LinearOp.ReferenceBackwardInput(dy, w, dx, new LinearShape(n, inFeatures, outFeatures));
        return dx;
    }

    public static double[] LinearBackwardWeight(double[] dy, double[] x, int n, int inFeatures, int outFeatures)
    {
        var dw = new double[outFeatures * inFeatures];
        LinearOp.ReferenceBackwardWeight(dy, x, dw, default, new LinearShape(n, inFeatures, outFeatures));
        return dw;
    }

    public static double[] LinearBackwardBias(double[] dy, int n, int outFeatures)
    {
        var db = new double[outFeatures];
        LinearOp.ReferenceBackwardWeight(dy, new double[n], new double[outFeatures], db, new LinearShape(n, 1, outFeatures));
        return db;
    }

    public static class BatchNorm
    {
        public sealed record TrainResult(double[] Y, double[] SavedMean, double[] SavedInvStd, double[] RunningMean, double[] RunningVar);

        public sealed record BackwardResult(double[] Dx, double[] Dgamma, double[] Dbeta, double[]? Dresidual = null);

        public static TrainResult ForwardTrain(double[] x, double[] gamma, double[] beta, double[] runningMean, double[] runningVar,
            NchwShape s, double eps = 1e-5, double momentum = 0.1)
        {
            var o = new OneOp();
            o.Builder.BatchNorm("bn", o.In("x", OneOp.Shape(s), x), BatchNormMode.Train, eps, momentum);
            return Train(o.Set("bn.weight", gamma).Set("bn.bias", beta).Set("bn.running_mean", runningMean).Set("bn.running_var", runningVar).Run());
        }

        /// <summary>y = relu(bn(x) + residual) with batch statistics (<see cref="BnAddReluOp"/>).</summary>
        public static TrainResult ForwardTrainAddRelu(double[] x, double[] residual, double[] gamma, double[] beta,
            double[] runningMean, double[] runningVar, NchwShape s, double eps = 1e-5, double momentum = 0.1)
        {
            var o = new OneOp();
            o.Builder.BnAddRelu("bn", o.In("x", OneOp.Shape(s), x), o.In("residual", OneOp.Shape(s), residual), eps, momentum);
            return Train(o.Set("bn.weight", gamma).Set("bn.bias", beta).Set("bn.running_mean", runningMean).Set("bn.running_var", runningVar).Run());
        }

        static TrainResult Train(OneOp o) => new(o["bn"], o["bn.saved_mean"], o["bn.saved_invstd"], o["bn.running_mean"], o["bn.running_var"]);

        public static double[] ForwardInfer(double[] x, double[] gamma, double[] beta, double[] runningMean, double[] runningVar,
            NchwShape s, double eps = 1e-5)
        {
            var o = new OneOp();
            o.Builder.BatchNorm("bn", o.In("x", OneOp.Shape(s), x), BatchNormMode.Infer, eps);
            return o.Set("bn.weight", gamma).Set("bn.bias", beta).Set("bn.running_mean", runningMean).Set("bn.running_var", runningVar).Run()["bn"];
        }

        /// <summary>dx, dgamma, dbeta from the saved batch statistics (<see cref="BatchNormBackwardOp"/>).</summary>
        public static BackwardResult Backward(double[] dy, double[] x, double[] gamma, double[] savedMean, double[] savedInvStd, NchwShape s)
        {
            var (o, t, c) = BackwardTensors(dy, x, gamma, savedMean, savedInvStd, s);
            o.Builder.Add(new BatchNormBackwardOp("bn.backward", t.Dy, t.X, t.Gamma, t.Mean, t.InvStd, t.Dx, t.Dgamma, t.Dbeta));
            o.Run();
            return new BackwardResult(o[t.Dx], o[t.Dgamma], o[t.Dbeta]);
        }

        /// <summary>Backward of ForwardTrainAddRelu, ReLU mask from the output y (<see cref="BnAddReluBackwardOp"/>).</summary>
        public static BackwardResult BackwardAddRelu(double[] dy, double[] y, double[] x, double[] gamma, double[] savedMean,
            double[] savedInvStd, NchwShape s)
        {
            var (o, t, c) = BackwardTensors(dy, x, gamma, savedMean, savedInvStd, s);
            var yt = o.In("y", OneOp.Shape(s), y);
            var dres = o.Builder.Activation("dresidual", OneOp.Shape(s));
            o.Builder.Add(new BnAddReluBackwardOp("bn.backward", t.Dy, yt, t.X, t.Gamma, t.Mean, t.InvStd, t.Dx, dres, t.Dgamma, t.Dbeta));
            o.Run();
            return new BackwardResult(o[t.Dx], o[t.Dgamma], o[t.Dbeta], o[dres]);
        }

        sealed record Tensors(Tensor Dy, Tensor X, Tensor Gamma, Tensor Mean, Tensor InvStd, Tensor Dx, Tensor Dgamma, Tensor Dbeta);

        static (OneOp, Tensors, TensorShape) BackwardTensors(double[] dy, double[] x, double[] gamma, double[] mean, double[] invstd, NchwShape s)
        {
            var o = new OneOp();
            var shape = OneOp.Shape(s);
            var c = new TensorShape(s.C);
            var t = new Tensors(o.In("dy", shape, dy), o.In("x", shape, x), o.In("gamma", c, gamma), o.In("saved_mean", c, mean),
                                o.In("saved_invstd", c, invstd), o.Builder.Activation("dx", shape), o.Builder.Activation("dgamma", c),
                                o.Builder.Activation("dbeta", c));
            return (o, t, c);
        }
    }

    public static class Elementwise
    {
        public static double[] ReluForward(double[] x)
        {
            var o = new OneOp();
            o.Builder.Relu("relu", o.In("x", new TensorShape(x.Length), x));
            return o.Run()["relu"];
        }

        /// <summary>dx = dy where y &gt; 0.</summary>
        public static double[] ReluBackward(double[] dy, double[] y)
        {
            var o = new OneOp();
            var shape = new TensorShape(dy.Length);
            var dx = o.Builder.Activation("dx", shape);
            o.Builder.Add(new ReluBackwardOp("relu.backward", o.In("dy", shape, dy), o.In("y", shape, y), dx));
            return o.Run()[dx];
        }

        public static double[] Add(double[] a, double[] b)
        {
            var o = new OneOp();
            var shape = new TensorShape(a.Length);
            o.Builder.Add("add", o.In("a", shape, a), o.In("b", shape, b));
            return o.Run()["add"];
        }

        /// <summary>y + x (the in-place accumulate, on a copy of y).</summary>
        public static double[] Accumulate(double[] x, double[] y)
        {
            var o = new OneOp();
            var shape = new TensorShape(x.Length);
            var yt = o.In("y", shape, y);
            o.Builder.Add(new AccumulateOp("accumulate", o.In("x", shape, x), yt));
            return o.Run()[yt];
        }
    }

    public static class Pool
    {
        public static (double[] Y, int[] Indices) MaxForward(double[] x, MaxPoolShape s)
        {
            var o = new OneOp();
            o.Builder.MaxPool("pool", o.In("x", OneOp.Shape(s.Input), x), s.Kernel, s.Stride, s.Pad);
            o.Run();
            return (o["pool"], Array.ConvertAll(o["pool.indices"], v => (int)v));
        }

        public static double[] MaxBackward(double[] dy, int[] indices, MaxPoolShape s)
        {
            var o = new OneOp();
            var ys = OneOp.Shape(s.Output);
            var dx = o.Builder.Activation("dx", OneOp.Shape(s.Input));
            o.Builder.Add(new MaxPoolBackwardOp("pool.backward", o.In("dy", ys, dy), o.InInts("indices", ys, indices), dx, s.Kernel, s.Stride, s.Pad));
            return o.Run()[dx];
        }

        public static double[] GlobalAvgForward(double[] x, NchwShape s)
        {
            var o = new OneOp();
            o.Builder.GlobalAvgPool("gap", o.In("x", OneOp.Shape(s), x));
            return o.Run()["gap"];
        }

        public static double[] GlobalAvgBackward(double[] dy, NchwShape s)
        {
            var o = new OneOp();
            var dx = o.Builder.Activation("dx", OneOp.Shape(s));
            o.Builder.Add(new GlobalAvgPoolBackwardOp("gap.backward", o.In("dy", new TensorShape(s.N, s.C), dy), dx));
            return o.Run()[dx];
        }
    }

    public static class Sgd
    {
        /// <summary>One torch.optim.SGD step (dampening 0), updating w and v in place.</summary>
        public static void Update(double[] grad, double lr, double[] weight, double[] velocity, float momentum, float weightDecay, bool nesterov)
        {
            var o = new OneOp();
            var shape = new TensorShape(weight.Length);
            var w = o.In("w", shape, weight);
            var v = o.In("v", shape, velocity);
            o.Builder.Add(new SgdUpdateOp("sgd", w, o.In("g", shape, grad), v, o.In("lr", new TensorShape(1), [lr]), momentum, weightDecay, nesterov));
            o.Run();
            o[w].CopyTo(weight, 0);
            o[v].CopyTo(velocity, 0);
        }
    }

    public static class Shortcut
    {
        public static double[] ZeroPadForward(double[] x, ShortcutZeroPadShape s)
        {
            var y = new double[s.Output.Count];
            ShortcutZeroPadOp.ReferenceForward(x, y, s);
            return y;
        }

        public static double[] ZeroPadBackward(double[] dy, ShortcutZeroPadShape s)
        {
            var dx = new double[s.Input.Count];
            ShortcutZeroPadOp.ReferenceBackward(dy, dx, s);
            return dx;
        }
    }

    public static class SoftmaxCrossEntropy
    {
        public static (double MeanLoss, int Correct) Forward(double[] logits, int[] labels, int batch, int classes, double smoothing = 0)
        {
            var o = new OneOp();
            o.Builder.SoftmaxCrossEntropy("ce", o.In("logits", new TensorShape(batch, classes), logits),
                                          o.InInts("labels", new TensorShape(batch), labels), (float)smoothing);
            var r = o.Run()["ce"];
            return (r[0], (int)r[1]);
        }

        public static double[] Backward(double[] logits, int[] labels, int batch, int classes, double smoothing = 0)
        {
            var o = new OneOp();
            var shape = new TensorShape(batch, classes);
            var d = o.Builder.Activation("dlogits", shape);
            o.Builder.Add(new SoftmaxCrossEntropyBackwardOp("ce.backward", o.In("logits", shape, logits),
                                                             o.InInts("labels", new TensorShape(batch), labels), d, (float)smoothing));
            return o.Run()[d];
        }
    }
}
