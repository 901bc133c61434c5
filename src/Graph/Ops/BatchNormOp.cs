using VkResNet.Graph.Kernels;
using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Ops;

public enum BatchNormMode { Train, Infer }

/// <summary>
/// Batch norm over N*H*W per channel, PyTorch semantics (biased variance normalises, unbiased variance
/// updates running_var, eps 1e-5, momentum 0.1). Train: batch statistics, saves mean and 1/sqrt(var+eps)
/// for the backward and updates the running statistics in place. Infer: running statistics.
/// </summary>
public sealed class BatchNormOp : Op
{
    public BatchNormOp(string name, BatchNormMode mode, Tensor x, Tensor gamma, Tensor beta,
                       Tensor runningMean, Tensor runningVar, Tensor y,
                       Tensor? savedMean, Tensor? savedInvStd, double eps = 1e-5, double momentum = 0.1) : base(name)
    {
        Mode = mode;
        X = Read(x);
        Gamma = Read(gamma);
        Beta = Read(beta);
        if (mode == BatchNormMode.Train)
        {
            Require(savedMean is not null && savedInvStd is not null, "training mode saves mean and invstd");
            Y = Write(y);
            SavedMean = Write(savedMean!);
            SavedInvStd = Write(savedInvStd!);
            RunningMean = ReadWrite(runningMean);
            RunningVar = ReadWrite(runningVar);
        }
        else
        {
            RunningMean = Read(runningMean);
            RunningVar = Read(runningVar);
            Y = Write(y);
        }
        Eps = eps;
        Momentum = momentum;
        var c = new TensorShape(x.Shape.C);
        Require(x.Shape.Rank == 4 && y.Shape == x.Shape, "x and y must be the same NCHW shape");
        Require(gamma.Shape == c && beta.Shape == c && runningMean.Shape == c && runningVar.Shape == c, "per-channel tensors must be [C]");
    }

    public override string Type => Mode == BatchNormMode.Train ? "BatchNormTrain" : "BatchNormInfer";
    public BatchNormMode Mode { get; }
    public Tensor X { get; }
    public Tensor Gamma { get; }
    public Tensor Beta { get; }
    public Tensor RunningMean { get; }
    public Tensor RunningVar { get; }
    public Tensor Y { get; }
    public Tensor? SavedMean { get; }
    public Tensor? SavedInvStd { get; }
    public double Eps { get; }
    public double Momentum { get; }

    // Train: mean, variance and apply passes (~2 + 3 + 2 flops per element); infer: one multiply-add.
    public override long Flops => X.Shape.ElementCount * (Mode == BatchNormMode.Train ? 7 : 2);

    public override bool IsDifferentiable => Mode == BatchNormMode.Train;
    public override void Backward(BackwardContext ctx)
    {
        if (Mode != BatchNormMode.Train)
            throw new NotSupportedException($"BatchNorm '{Name}' in inference mode has no backward; build the graph in training mode.");
        var dy = ctx.GradOf(Y);
        if (dy is null)
            return;
        // The kernel always writes dx; when x needs no gradient the tensor is written and never read.
        var dx = ctx.NewGrad(X);
        var dgamma = ctx.NewGrad(Gamma);
        var dbeta = ctx.NewGrad(Beta);
        ctx.Emit(new BatchNormBackwardOp($"{Name}.backward", dy, X, Gamma, SavedMean!, SavedInvStd!, dx, dgamma, dbeta));
        if (ctx.NeedsGrad(X))
            ctx.Contribute(X, dx);
        ctx.Contribute(Gamma, dgamma);
        ctx.Contribute(Beta, dbeta);
    }

    public override void Reference(ReferenceContext m)
    {
        if (Mode == BatchNormMode.Train)
            ReferenceTrain(m, X, null, Gamma, Beta, Y, SavedMean!, SavedInvStd!, RunningMean, RunningVar, Eps, Momentum);
        else
            ReferenceInfer(m, X, Gamma, Beta, RunningMean, RunningVar, Y, Eps);
    }

    /// <summary>Training forward: batch statistics (biased variance normalises, unbiased updates running_var),
    /// y = gamma * xhat + beta, or relu(that + residual) when a residual is given (<see cref="BnAddReluOp"/>).</summary>
    internal static void ReferenceTrain(ReferenceContext m, Tensor xt, Tensor? rt, Tensor gt, Tensor bt, Tensor yt, Tensor mt, Tensor it,
                                        Tensor rmt, Tensor rvt, double eps, double momentum)
    {
        var s = xt.Shape;
        var x = m[xt]; var y = m[yt]; var gamma = m[gt]; var beta = m[bt];
        var mean = m[mt]; var inv = m[it]; var rm = m[rmt]; var rv = m[rvt];
        Span<double> r = rt is null ? default : m[rt];
        int hw = s.H * s.W, count = s.N * hw;
        for (int c = 0; c < s.C; c++)
        {
            double sum = 0;
            for (int n = 0; n < s.N; n++) for (int k = 0; k < hw; k++) sum += x[(n * s.C + c) * hw + k];
            double mu = sum / count, sq = 0;
            for (int n = 0; n < s.N; n++) for (int k = 0; k < hw; k++) { double d = x[(n * s.C + c) * hw + k] - mu; sq += d * d; }
            double var = sq / count, invstd = 1 / Math.Sqrt(var + eps);
            mean[c] = mu; inv[c] = invstd;
            rm[c] = (1 - momentum) * rm[c] + momentum * mu;
            rv[c] = (1 - momentum) * rv[c] + momentum * (count > 1 ? sq / (count - 1) : var);
            for (int n = 0; n < s.N; n++)
                for (int k = 0; k < hw; k++)
                {
                    int i = (n * s.C + c) * hw + k;
                    double v = gamma[c] * (x[i] - mu) * invstd + beta[c];
                    y[i] = rt is null ? v : Math.Max(v + r[i], 0);
                }
        }
    }

    /// <summary>Inference forward: y = (x - mean) / sqrt(var + eps) * gamma + beta with the given statistics.</summary>
    internal static void ReferenceInfer(ReferenceContext m, Tensor xt, Tensor gt, Tensor bt, Tensor meant, Tensor vart, Tensor yt, double eps)
    {
        var s = xt.Shape;
        var x = m[xt]; var y = m[yt]; var gamma = m[gt]; var beta = m[bt]; var rm = m[meant]; var rv = m[vart];
        int hw = s.H * s.W;
        for (int i = 0; i < x.Length; i++)
        {
            int c = i / hw % s.C;
            y[i] = (x[i] - rm[c]) / Math.Sqrt(rv[c] + eps) * gamma[c] + beta[c];
        }
    }

    /// <summary>Training: the split form's partial sums (<see cref="BatchNormKernels.Split"/>).</summary>
    public override long ScratchBytes(KernelSelection kernels) => Mode == BatchNormMode.Train ? BatchNormKernels.ScratchBytes(Nchw(X), BatchNormKernels.TargetGroups(kernels.Variant)) : 0;

    public override void Record(CommandRecorder rec)
    {
        var s = Nchw(X);
        if (Mode == BatchNormMode.Train)
            BatchNormKernels.ForwardTrain(rec, s, rec.Slice(X), rec.Slice(Gamma), rec.Slice(Beta), rec.Slice(Y), rec.Slice(SavedMean!),
                rec.Slice(SavedInvStd!), rec.Slice(RunningMean), rec.Slice(RunningVar), (float)Eps, (float)Momentum, rec.Scratch);
        else
            BatchNormKernels.ForwardInfer(rec, s, rec.Slice(X), rec.Slice(Gamma), rec.Slice(Beta), rec.Slice(RunningMean), rec.Slice(RunningVar), rec.Slice(Y), (float)Eps);
    }
}

/// <summary>
/// Batch-norm backward from saved statistics, xhat = (x - mean) * invstd, M = N*H*W:
/// dbeta = sum dy, dgamma = sum dy*xhat, dx = gamma*invstd/M * (M*dy - dbeta - xhat*dgamma).
/// </summary>
public sealed class BatchNormBackwardOp : Op
{
    public BatchNormBackwardOp(string name, Tensor dy, Tensor x, Tensor gamma, Tensor savedMean, Tensor savedInvStd,
                               Tensor dx, Tensor dgamma, Tensor dbeta) : base(name)
    {
        Dy = Read(dy);
        X = Read(x);
        Gamma = Read(gamma);
        SavedMean = Read(savedMean);
        SavedInvStd = Read(savedInvStd);
        Dx = Write(dx);
        Dgamma = Write(dgamma);
        Dbeta = Write(dbeta);
    }

    public override string Type => "BatchNormBackward";
    public Tensor Dy { get; }
    public Tensor X { get; }
    public Tensor Gamma { get; }
    public Tensor SavedMean { get; }
    public Tensor SavedInvStd { get; }
    public Tensor Dx { get; }
    public Tensor Dgamma { get; }
    public Tensor Dbeta { get; }
    public override long Flops => X.Shape.ElementCount * 8;

    public override void Reference(ReferenceContext m) =>
        ReferenceBackward(m, Dy, null, X, Gamma, SavedMean, SavedInvStd, Dx, null, Dgamma, Dbeta);

    /// <summary>The BN backward above; with y given (<see cref="BnAddReluBackwardOp"/>) dy is first masked by y &gt; 0
    /// and that masked gradient is also written to dresidual.</summary>
    internal static void ReferenceBackward(ReferenceContext m, Tensor dyt, Tensor? yt, Tensor xt, Tensor gt, Tensor mt, Tensor it,
                                           Tensor dxt, Tensor? drt, Tensor dgt, Tensor dbt)
    {
        var s = xt.Shape;
        var x = m[xt]; var dyIn = m[dyt]; var gamma = m[gt]; var mean = m[mt]; var inv = m[it];
        var dx = m[dxt]; var dg = m[dgt]; var db = m[dbt];
        var dy = new double[dyIn.Length];
        if (yt is null)
            dyIn.CopyTo(dy);
        else
        {
            var y = m[yt]; var dr = m[drt!];
            for (int i = 0; i < dy.Length; i++) dr[i] = dy[i] = y[i] > 0 ? dyIn[i] : 0;
        }
        int hw = s.H * s.W, count = s.N * hw;
        for (int c = 0; c < s.C; c++)
        {
            double sdy = 0, sdyx = 0;
            for (int n = 0; n < s.N; n++)
                for (int k = 0; k < hw; k++)
                {
                    int i = (n * s.C + c) * hw + k;
                    sdy += dy[i];
                    sdyx += dy[i] * (x[i] - mean[c]) * inv[c];
                }
            dg[c] = sdyx; db[c] = sdy;
            for (int n = 0; n < s.N; n++)
                for (int k = 0; k < hw; k++)
                {
                    int i = (n * s.C + c) * hw + k;
                    double xhat = (x[i] - mean[c]) * inv[c];
                    dx[i] = gamma[c] * inv[c] / count * (count * dy[i] - sdy - xhat * sdyx);
                }
        }
    }

    /// <summary>The split form's partial sums (<see cref="BatchNormKernels.Split"/>).</summary>
    public override long ScratchBytes(KernelSelection kernels) => BatchNormKernels.ScratchBytes(Nchw(X), BatchNormKernels.TargetGroups(kernels.Variant));

    public override void Record(CommandRecorder rec) =>
        BatchNormKernels.Backward(rec, Nchw(X), rec.Slice(Dy), rec.Slice(X), rec.Slice(Gamma), rec.Slice(SavedMean), rec.Slice(SavedInvStd), rec.Slice(Dx), rec.Slice(Dgamma), rec.Slice(Dbeta), rec.Scratch);
}
