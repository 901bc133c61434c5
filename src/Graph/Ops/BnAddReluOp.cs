using VkResNet.Graph.Kernels;
using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Ops;

/// <summary>
/// Fused end of a residual block in training: y = relu(bn_train(x) + residual), batch statistics saved
/// and running statistics updated exactly as <see cref="BatchNormOp"/>; the BN and add outputs are never
/// stored. Backward masks dy by y &gt; 0, hands it to the residual and runs the BN backward.
/// (At inference BN is folded and the conv epilogue does add+relu.)
/// </summary>
public sealed class BnAddReluOp : Op
{
    public BnAddReluOp(string name, Tensor x, Tensor residual, Tensor gamma, Tensor beta, Tensor y,
                       Tensor savedMean, Tensor savedInvStd, Tensor runningMean, Tensor runningVar,
                       double eps = 1e-5, double momentum = 0.1) : base(name)
    {
        X = Read(x);
        Residual = Read(residual);
        Gamma = Read(gamma);
        Beta = Read(beta);
        Y = Write(y);
        SavedMean = Write(savedMean);
        SavedInvStd = Write(savedInvStd);
        RunningMean = ReadWrite(runningMean);
        RunningVar = ReadWrite(runningVar);
        Eps = eps;
        Momentum = momentum;
        Require(x.Shape.Rank == 4 && residual.Shape == x.Shape && y.Shape == x.Shape, "x, residual and y must share one NCHW shape");
    }

    public override string Type => "BnAddRelu";
    public Tensor X { get; }
    public Tensor Residual { get; }
    public Tensor Gamma { get; }
    public Tensor Beta { get; }
    public Tensor Y { get; }
    public Tensor SavedMean { get; }
    public Tensor SavedInvStd { get; }
    public Tensor RunningMean { get; }
    public Tensor RunningVar { get; }
    public double Eps { get; }
    public double Momentum { get; }
    public override long Flops => X.Shape.ElementCount * 9;

    public override bool IsDifferentiable => true;
    public override void Backward(BackwardContext ctx)
    {
        var dy = ctx.GradOf(Y);
        if (dy is null)
            return;
        var dx = ctx.NewGrad(X);
        var dres = ctx.NewGrad(Residual);
        var dgamma = ctx.NewGrad(Gamma);
        var dbeta = ctx.NewGrad(Beta);
        ctx.Emit(new BnAddReluBackwardOp($"{Name}.backward", dy, Y, X, Gamma, SavedMean, SavedInvStd, dx, dres, dgamma, dbeta));
        if (ctx.NeedsGrad(X))
            ctx.Contribute(X, dx);
        if (ctx.NeedsGrad(Residual))
            ctx.Contribute(Residual, dres);
        ctx.Contribute(Gamma, dgamma);
        ctx.Contribute(Beta, dbeta);
    }

    public override void Reference(ReferenceContext m) =>
        BatchNormOp.ReferenceTrain(m, X, Residual, Gamma, Beta, Y, SavedMean, SavedInvStd, RunningMean, RunningVar, Eps, Momentum);

    /// <summary>The split form's partial sums (<see cref="BatchNormKernels.Split"/>).</summary>
    public override long ScratchBytes(KernelSelection kernels) => BatchNormKernels.ScratchBytes(Nchw(X), BatchNormKernels.TargetGroups(kernels.Variant));

    public override void Record(CommandRecorder rec) =>
        BatchNormKernels.ForwardTrainAddRelu(rec, Nchw(X), rec.Slice(X), rec.Slice(Residual), rec.Slice(Gamma), rec.Slice(Beta), rec.Slice(Y), rec.Slice(SavedMean), rec.Slice(SavedInvStd), rec.Slice(RunningMean), rec.Slice(RunningVar), (float)Eps, (float)Momentum, rec.Scratch);
}

/// <summary>g = dy * (y &gt; 0); dresidual = g; then the BN backward of g into dx, dgamma, dbeta.</summary>
public sealed class BnAddReluBackwardOp : Op
{
    public BnAddReluBackwardOp(string name, Tensor dy, Tensor y, Tensor x, Tensor gamma, Tensor savedMean, Tensor savedInvStd,
                               Tensor dx, Tensor dresidual, Tensor dgamma, Tensor dbeta) : base(name)
    {
        Dy = Read(dy);
        Y = Read(y);
        X = Read(x);
        Gamma = Read(gamma);
        SavedMean = Read(savedMean);
        SavedInvStd = Read(savedInvStd);
        Dx = Write(dx);
        Dresidual = Write(dresidual);
        Dgamma = Write(dgamma);
        Dbeta = Write(dbeta);
    }

    public override string Type => "BnAddReluBackward";
    public Tensor Dy { get; }
    public Tensor Y { get; }
    public Tensor X { get; }
    public Tensor Gamma { get; }
    public Tensor SavedMean { get; }
    public Tensor SavedInvStd { get; }
    public Tensor Dx { get; }
    public Tensor Dresidual { get; }
    public Tensor Dgamma { get; }
    public Tensor Dbeta { get; }
    public override long Flops => X.Shape.ElementCount * 10;

    public override void Reference(ReferenceContext m) =>
        BatchNormBackwardOp.ReferenceBackward(m, Dy, Y, X, Gamma, SavedMean, SavedInvStd, Dx, Dresidual, Dgamma, Dbeta);

    /// <summary>The split form's partial sums (<see cref="BatchNormKernels.Split"/>).</summary>
    public override long ScratchBytes(KernelSelection kernels) => BatchNormKernels.ScratchBytes(Nchw(X), BatchNormKernels.TargetGroups(kernels.Variant));

    public override void Record(CommandRecorder rec) =>
        BatchNormKernels.BackwardAddRelu(rec, Nchw(X), rec.Slice(Dy), rec.Slice(Y), rec.Slice(X), rec.Slice(Gamma), rec.Slice(SavedMean), rec.Slice(SavedInvStd), rec.Slice(Dx), rec.Slice(Dresidual), rec.Slice(Dgamma), rec.Slice(Dbeta), rec.Scratch);
}
