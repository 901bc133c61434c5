using VkResNet.Graph.Kernels;
using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Compiler;
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

    public override void Record(OpRecordContext ctx)
    {
        var s = OpRecordContext.Nchw(X);
        if (Mode == BatchNormMode.Train)
            BatchNormKernels.ForwardTrain(ctx.Recorder, s, ctx.Slice(X), ctx.Slice(Gamma), ctx.Slice(Beta), ctx.Slice(Y), ctx.Slice(SavedMean!),
                ctx.Slice(SavedInvStd!), ctx.Slice(RunningMean), ctx.Slice(RunningVar), (float)Eps, (float)Momentum);
        else
            BatchNormKernels.ForwardInfer(ctx.Recorder, s, ctx.Slice(X), ctx.Slice(Gamma), ctx.Slice(Beta), ctx.Slice(RunningMean), ctx.Slice(RunningVar), ctx.Slice(Y), (float)Eps);
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

    public override void Record(OpRecordContext ctx) =>
        BatchNormKernels.Backward(ctx.Recorder, OpRecordContext.Nchw(X), ctx.Slice(Dy), ctx.Slice(X), ctx.Slice(Gamma), ctx.Slice(SavedMean), ctx.Slice(SavedInvStd), ctx.Slice(Dx), ctx.Slice(Dgamma), ctx.Slice(Dbeta));
}
