using VkResNet.Graph.Kernels;
using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Ops;

/// <summary>
/// 2-D convolution y = conv(x, w) (+ b), NCHW, weight [Cout, Cin, kh, kw], square stride and padding.
/// Backward: dx = conv_transpose(dy, w) (only when x needs a gradient), dw = corr(x, dy), db = sum(dy).
/// </summary>
public sealed class Conv2dOp : Op
{
    public Conv2dOp(string name, Tensor x, Tensor weight, Tensor? bias, Tensor y, int stride, int pad) : base(name)
    {
        X = Read(x);
        Weight = Read(weight);
        Bias = bias is null ? null : Read(bias);
        Y = Write(y);
        Stride = stride;
        Pad = pad;
        Require(x.Shape.Rank == 4 && weight.Shape.Rank == 4, "x and weight must be rank 4");
        Require(weight.Shape[1] == x.Shape.C, $"weight {weight.Shape} does not match input channels of {x.Shape}");
        Require(bias is null || bias.Shape == new TensorShape(weight.Shape[0]), "bias must be [Cout]");
        Require(y.Shape == OutputShape(x.Shape, weight.Shape[0], KernelH, KernelW, stride, pad), $"output {y.Shape} is not the conv shape");
    }

    public override string Type => "Conv2d";
    public Tensor X { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }
    public Tensor Y { get; }
    public int Stride { get; }
    public int Pad { get; }
    public int KernelH => Weight.Shape[2];
    public int KernelW => Weight.Shape[3];

    /// <summary>Shape rule: Ho = (H + 2p - kh) / s + 1, likewise Wo.</summary>
    public static TensorShape OutputShape(TensorShape x, int cout, int kh, int kw, int stride, int pad)
    {
        int ho = (x.H + 2 * pad - kh) / stride + 1, wo = (x.W + 2 * pad - kw) / stride + 1;
        if (ho <= 0 || wo <= 0)
            throw new ArgumentException($"Conv2d: kernel {kh}x{kw} does not fit input {x} with padding {pad}.");
        return TensorShape.Nchw(x.N, cout, ho, wo);
    }

    /// <summary>The kernel-launch shape of a square conv on input x with weight [Cout, Cin, kh, kw].</summary>
    public static Conv2dShape Shape(TensorShape x, TensorShape weight, int stride, int pad) =>
        new(x.N, x.C, x.H, x.W, weight[0], weight[2], weight[3], stride, stride, pad, pad);

    public static long MacCount(TensorShape y, TensorShape weight) => y.ElementCount * weight[1] * weight[2] * weight[3];
    public override long Macs => MacCount(Y.Shape, Weight.Shape);

    public override bool IsDifferentiable => true;
    public override void Backward(BackwardContext ctx)
    {
        var dy = ctx.GradOf(Y);
        if (dy is null)
            return;
        if (ctx.NeedsGrad(X))
        {
            var dx = ctx.NewGrad(X);
            ctx.Emit(new Conv2dBackwardInputOp($"{Name}.backward_input", dy, Weight, dx, Stride, Pad));
            ctx.Contribute(X, dx);
        }
        var dw = ctx.NewGrad(Weight);
        var db = Bias is null ? null : ctx.NewGrad(Bias);
        ctx.Emit(new Conv2dBackwardWeightOp($"{Name}.backward_weight", dy, X, dw, db, Stride, Pad));
        ctx.Contribute(Weight, dw);
        if (Bias is not null)
            ctx.Contribute(Bias, db!);
    }

    /// <summary>The tuner's key of the forward pass.</summary>
    public ConvKey Key => new(ConvDirection.Forward, Shape(X.Shape, Weight.Shape, Stride, Pad), Bias is null ? 0 : Conv2dFlags.Bias);
    public override IReadOnlyList<ConvKey> KernelKeys => [Key];
    public override long ScratchBytes(KernelSelection kernels) => kernels.Choose(Key).Scratch(Key.Shape);

    public override void Reference(ReferenceContext m) =>
        ReferenceForward(m[X], m[Weight], Bias is null ? default : m[Bias], default, m[Y], Shape(X.Shape, Weight.Shape, Stride, Pad), relu: false);

    /// <summary>y = [relu](conv(x, w) + [b] + [residual]) on the launch shape (any stride and padding per axis); an empty
    /// b or residual is none. The forward of this op and of <see cref="ConvBiasReluAddOp"/>.</summary>
    public static void ReferenceForward(ReadOnlySpan<double> x, ReadOnlySpan<double> w, ReadOnlySpan<double> b, ReadOnlySpan<double> residual,
                                        Span<double> y, Conv2dShape s, bool relu)
    {
        int plane = s.OutH * s.OutW;
        for (int i = 0; i < y.Length; i++) y[i] = b.IsEmpty ? 0 : b[i / plane % s.Cout];
        var tap = new ForwardTap { X = x, W = w, Y = y };
        ForEachTap(s, ref tap);
        for (int i = 0; i < y.Length; i++)
        {
            double v = residual.IsEmpty ? y[i] : y[i] + residual[i];
            y[i] = relu ? Math.Max(v, 0) : v;
        }
    }

    /// <summary>dx = transposed convolution of dy with w (overwrites dx).</summary>
    public static void ReferenceBackwardInput(ReadOnlySpan<double> dy, ReadOnlySpan<double> w, Span<double> dx, Conv2dShape s)
    {
        dx.Clear();
        var tap = new InputGradTap { Dy = dy, W = w, Dx = dx };
        ForEachTap(s, ref tap);
    }

    /// <summary>dw = correlation of x with dy summed over the batch; db (when not empty) = sum of dy per channel. Overwrites both.</summary>
    public static void ReferenceBackwardWeight(ReadOnlySpan<double> dy, ReadOnlySpan<double> x, Span<double> dw, Span<double> db, Conv2dShape s)
    {
        dw.Clear();
        var tap = new WeightGradTap { Dy = dy, X = x, Dw = dw };
        ForEachTap(s, ref tap);
        if (db.IsEmpty)
            return;
        int plane = s.OutH * s.OutW;
        db.Clear();
        for (int i = 0; i < dy.Length; i++) db[i / plane % s.Cout] += dy[i];
    }

    interface IConvTap
    {
        /// <summary>One multiply of the convolution: output element yi, input element xi, weight element wi.</summary>
        void Tap(int yi, int xi, int wi);
    }

    ref struct ForwardTap : IConvTap
    {
        public ReadOnlySpan<double> X, W;
        public Span<double> Y;
        public void Tap(int yi, int xi, int wi) => Y[yi] += X[xi] * W[wi];
    }

    ref struct InputGradTap : IConvTap
    {
        public ReadOnlySpan<double> Dy, W;
        public Span<double> Dx;
        public void Tap(int yi, int xi, int wi) => Dx[xi] += Dy[yi] * W[wi];
    }

    ref struct WeightGradTap : IConvTap
    {
        public ReadOnlySpan<double> Dy, X;
        public Span<double> Dw;
        public void Tap(int yi, int xi, int wi) => Dw[wi] += Dy[yi] * X[xi];
    }

    /// <summary>The one loop nest of the three references: every (y, x, w) index triple whose input cell lies inside x
    /// (padding skipped), in a fixed order.</summary>
    static void ForEachTap<T>(Conv2dShape s, ref T tap) where T : IConvTap, allows ref struct
    {
        int OH = s.OutH, OW = s.OutW;
        for (int n = 0; n < s.N; n++)
            for (int o = 0; o < s.Cout; o++)
                for (int oh = 0; oh < OH; oh++)
                    for (int ow = 0; ow < OW; ow++)
                    {
                        int yi = ((n * s.Cout + o) * OH + oh) * OW + ow;
                        for (int c = 0; c < s.Cin; c++)
                            for (int i = 0; i < s.KernelH; i++)
                            {
                                int ih = oh * s.StrideH - s.PadH + i;
                                if (ih < 0 || ih >= s.H) continue;
                                for (int j = 0; j < s.KernelW; j++)
                                {
                                    int iw = ow * s.StrideW - s.PadW + j;
                                    if (iw < 0 || iw >= s.W) continue;
                                    tap.Tap(yi, ((n * s.Cin + c) * s.H + ih) * s.W + iw, ((o * s.Cin + c) * s.KernelH + i) * s.KernelW + j);
                                }
                            }
                    }
    }

    public override void Record(CommandRecorder rec) =>
        Conv2dKernels.Record(rec, rec.Choose(Key), Key,
                             new ConvOperands(rec.Slice(X), rec.Slice(Weight), rec.Slice(Y), rec.Scratch, Bias is null ? null : rec.Slice(Bias)));
}

/// <summary>dx = transposed convolution of dy with w (the data gradient of <see cref="Conv2dOp"/>).</summary>
public sealed class Conv2dBackwardInputOp : Op
{
    public Conv2dBackwardInputOp(string name, Tensor dy, Tensor weight, Tensor dx, int stride, int pad) : base(name)
    {
        Dy = Read(dy);
        Weight = Read(weight);
        Dx = Write(dx);
        Stride = stride;
        Pad = pad;
    }

    public override string Type => "Conv2dBackwardInput";
    public Tensor Dy { get; }
    public Tensor Weight { get; }
    public Tensor Dx { get; }
    public int Stride { get; }
    public int Pad { get; }
    public override long Macs => Conv2dOp.MacCount(Dy.Shape, Weight.Shape);

    public ConvKey Key => new(ConvDirection.BackwardInput, Conv2dOp.Shape(Dx.Shape, Weight.Shape, Stride, Pad));
    public override IReadOnlyList<ConvKey> KernelKeys => [Key];
    public override long ScratchBytes(KernelSelection kernels) => kernels.Choose(Key).Scratch(Key.Shape);

    public override void Reference(ReferenceContext m) => Conv2dOp.ReferenceBackwardInput(m[Dy], m[Weight], m[Dx], Key.Shape);

    public override void Record(CommandRecorder rec) =>
        Conv2dKernels.Record(rec, rec.Choose(Key), Key, new ConvOperands(rec.Slice(Dy), rec.Slice(Weight), rec.Slice(Dx), rec.Scratch));
}

/// <summary>dw = correlation of x with dy summed over the batch, db = sum of dy (overwrites both).</summary>
public sealed class Conv2dBackwardWeightOp : Op
{
    public Conv2dBackwardWeightOp(string name, Tensor dy, Tensor x, Tensor dw, Tensor? db, int stride, int pad) : base(name)
    {
        Dy = Read(dy);
        X = Read(x);
        Dw = Write(dw);
        Db = db is null ? null : Write(db);
        Stride = stride;
        Pad = pad;
    }

    public override string Type => "Conv2dBackwardWeight";
    public Tensor Dy { get; }
    public Tensor X { get; }
    public Tensor Dw { get; }
    public Tensor? Db { get; }
    public int Stride { get; }
    public int Pad { get; }
    public override long Macs => Conv2dOp.MacCount(Dy.Shape, Dw.Shape);

    public ConvKey Key => new(ConvDirection.BackwardWeight, Conv2dOp.Shape(X.Shape, Dw.Shape, Stride, Pad));
    public override IReadOnlyList<ConvKey> KernelKeys => [Key];
    public override long ScratchBytes(KernelSelection kernels) => kernels.Choose(Key).Scratch(Key.Shape);

    public override void Reference(ReferenceContext m) =>
        Conv2dOp.ReferenceBackwardWeight(m[Dy], m[X], m[Dw], Db is null ? default : m[Db], Key.Shape);

    public override void Record(CommandRecorder rec)
    {
        Conv2dKernels.Record(rec, rec.Choose(Key), Key, new ConvOperands(rec.Slice(Dy), rec.Slice(X), rec.Slice(Dw), rec.Scratch));
        if (Db is not null) Conv2dKernels.BackwardBias(rec, Key.Shape, rec.Slice(Dy), rec.Slice(Db));
    }
}
