using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Kernels;

namespace VkResNet.Graph.Ops;

/// <summary>
/// SyncBatchNorm's apply pass: with the all-reduced sums of <see cref="BatchNormStatsOp"/> over <see cref="Count"/>
/// elements per channel (N*H*W of every rank), the batch mean and biased variance of the ranks' batches together;
/// then y, the saved mean and 1/sqrt(var + eps) and the running statistics exactly as <see cref="BatchNormOp"/> in
/// training mode (PyTorch semantics, eps 1e-5, momentum 0.1, unbiased running variance over Count).
/// </summary>
public sealed class BatchNormApplyOp : Op
{
    public BatchNormApplyOp(string name, long count, Tensor x, Tensor gamma, Tensor beta, Tensor stats, Tensor y,
                            Tensor savedMean, Tensor savedInvStd, Tensor runningMean, Tensor runningVar,
                            double eps = 1e-5, double momentum = 0.1, Tensor? residual = null) : base(name)
    {
        X = Read(x);
        Residual = residual is null ? null : Read(residual);
        Gamma = Read(gamma);
        Beta = Read(beta);
        Stats = Read(stats);
        Y = Write(y);
        SavedMean = Write(savedMean);
        SavedInvStd = Write(savedInvStd);
        RunningMean = ReadWrite(runningMean);
        RunningVar = ReadWrite(runningVar);
        Count = count;
        Eps = eps;
        Momentum = momentum;
        var c = new TensorShape(x.Shape.C);
        Require(x.Shape.Rank == 4 && y.Shape == x.Shape, "x and y must be the same NCHW shape");
        Require(gamma.Shape == c && beta.Shape == c && runningMean.Shape == c && runningVar.Shape == c, "per-channel tensors must be [C]");
        Require(stats.Shape == new TensorShape(2 * x.Shape.C), "stats must be [2C]");
        Require(count >= (long)x.Shape.N * x.Shape.H * x.Shape.W, "count covers at least this replica's N*H*W");
        Require(residual is null || residual.Shape == x.Shape, "residual must be x's shape");
    }

    public override string Type => Residual is null ? "BatchNormApply" : "BnAddReluApply";
    public Tensor X { get; }
    /// <summary>With a residual: y = relu(bn(x) + residual), the fused residual-block tail as <see cref="BnAddReluOp"/>.</summary>
    public Tensor? Residual { get; }
    public Tensor Gamma { get; }
    public Tensor Beta { get; }
    public Tensor Stats { get; }
    public Tensor Y { get; }
    public Tensor SavedMean { get; }
    public Tensor SavedInvStd { get; }
    public Tensor RunningMean { get; }
    public Tensor RunningVar { get; }
    /// <summary>Elements per channel over every rank: N*H*W x ranks.</summary>
    public long Count { get; }
    public double Eps { get; }
    public double Momentum { get; }
    public override long Flops => X.Shape.ElementCount * 2;

    /// <summary>
    /// SyncBatchNorm's backward in two passes: <see cref="BatchNormBackwardStatsOp"/> (this rank's sum dy and sum dy * xhat,
    /// which are also its dbeta and dgamma; with a residual, dy masked by y &gt; 0 into dresidual) and
    /// <see cref="BatchNormBackwardApplyOp"/> (dx from the sums, all-reduced in between when the step is split for it).
    /// </summary>
    public override bool IsDifferentiable => true;
    public override void Backward(Autodiff.BackwardContext ctx)
    {
        var dy = ctx.GradOf(Y);
        if (dy is null)
            return;
        var dx = ctx.NewGrad(X);
        var dgamma = ctx.NewGrad(Gamma);
        var dbeta = ctx.NewGrad(Beta);
        var graph = ctx.Builder.Graph;
        var sums = ctx.Builder.Activation(graph.UniqueTensorName($"{Name}.grad_sums"), new TensorShape(2 * X.Shape.C));
        var dresidual = Residual is null ? null : ctx.NewGrad(Residual);
        ctx.Emit(new BatchNormBackwardStatsOp($"{Name}.backward_stats", dy, X, SavedMean, SavedInvStd, sums, dgamma, dbeta,
            dresidual is null ? null : (Y, dresidual)));
        ctx.Emit(new BatchNormBackwardApplyOp($"{Name}.backward", Count, dresidual ?? dy, X, Gamma, SavedMean, SavedInvStd, sums, dx));
        if (ctx.NeedsGrad(X))
            ctx.Contribute(X, dx);
        if (Residual != null && ctx.NeedsGrad(Residual))
            ctx.Contribute(Residual, dresidual!);
        ctx.Contribute(Gamma, dgamma);
        ctx.Contribute(Beta, dbeta);
    }

    public override void Record(CommandRecorder rec) =>
        SyncBatchNormKernels.Apply(rec, Nchw(X), Count, rec.Slice(X), rec.Slice(Gamma), rec.Slice(Beta), rec.Slice(Stats),
            rec.Slice(Y), rec.Slice(SavedMean), rec.Slice(SavedInvStd), rec.Slice(RunningMean), rec.Slice(RunningVar), (float)Eps, (float)Momentum,
            Residual is null ? null : rec.Slice(Residual));

    public override void Reference(Checking.ReferenceContext m)
    {
        var r = Reference(m[X].ToArray(), m[Gamma].ToArray(), m[Beta].ToArray(), m[Stats].ToArray(), m[RunningMean].ToArray(), m[RunningVar].ToArray(),
                          Nchw(X), Count, Eps, Momentum, Residual is null ? null : m[Residual].ToArray());
        r.Y.CopyTo(m[Y]); r.SavedMean.CopyTo(m[SavedMean]); r.SavedInvStd.CopyTo(m[SavedInvStd]);
        r.RunningMean.CopyTo(m[RunningMean]); r.RunningVar.CopyTo(m[RunningVar]);
    }

    public sealed record ReferenceResult(double[] Y, double[] SavedMean, double[] SavedInvStd, double[] RunningMean, double[] RunningVar);

    /// <summary>The CPU double-precision reference; <paramref name="stats"/> are the summed shifted sums, shifted by <paramref name="runningMean"/>.</summary>
    public static ReferenceResult Reference(double[] x, double[] gamma, double[] beta, double[] stats, double[] runningMean, double[] runningVar,
                                            NchwShape s, long count, double eps = 1e-5, double momentum = 0.1, double[]? residual = null)
    {
        var y = new double[x.Length];
        var mean = new double[s.C];
        var invstd = new double[s.C];
        var rm = new double[s.C];
        var rv = new double[s.C];
        for (int c = 0; c < s.C; c++)
        {
            double s1 = stats[2 * c] / count, s2 = stats[2 * c + 1] / count;
            double var = Math.Max(s2 - s1 * s1, 0);
            mean[c] = runningMean[c] + s1;
            invstd[c] = 1 / Math.Sqrt(var + eps);
            double unbiased = count > 1 ? var * count / (count - 1) : var;
            rm[c] = (1 - momentum) * runningMean[c] + momentum * mean[c];
            rv[c] = (1 - momentum) * runningVar[c] + momentum * unbiased;
            for (int n = 0; n < s.N; n++)
                for (int i = 0; i < s.PlaneSize; i++)
                {
                    int j = (n * s.C + c) * s.PlaneSize + i;
                    y[j] = gamma[c] * (x[j] - mean[c]) * invstd[c] + beta[c];
                    if (residual != null) y[j] = Math.Max(y[j] + residual[j], 0);
                }
        }
        return new ReferenceResult(y, mean, invstd, rm, rv);
    }
}
