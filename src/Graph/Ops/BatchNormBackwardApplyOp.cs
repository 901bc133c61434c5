using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Kernels;

namespace VkResNet.Graph.Ops;

/// <summary>
/// SyncBatchNorm's backward apply pass: dx = gamma * invstd / M * (M * dy - S_dy - xhat * S_dyxhat) with the sums of
/// <see cref="BatchNormBackwardStatsOp"/> over every rank and M = <see cref="Count"/> (N*H*W of all ranks). With one rank
/// (M = N*H*W, the local sums) this is <see cref="BatchNormBackwardOp"/>'s dx.
/// </summary>
public sealed class BatchNormBackwardApplyOp : Op
{
    public BatchNormBackwardApplyOp(string name, long count, Tensor dy, Tensor x, Tensor gamma, Tensor savedMean, Tensor savedInvStd,
                                    Tensor sums, Tensor dx) : base(name)
    {
        Dy = Read(dy);
        X = Read(x);
        Gamma = Read(gamma);
        SavedMean = Read(savedMean);
        SavedInvStd = Read(savedInvStd);
        Sums = Read(sums);
        Dx = Write(dx);
        Count = count;
        var c = new TensorShape(x.Shape.C);
        Require(x.Shape.Rank == 4 && dy.Shape == x.Shape && dx.Shape == x.Shape, "dy, x and dx must be the same NCHW shape");
        Require(gamma.Shape == c && savedMean.Shape == c && savedInvStd.Shape == c, "per-channel tensors must be [C]");
        Require(sums.Shape == new TensorShape(2 * x.Shape.C), "sums must be [2C]");
        Require(count >= (long)x.Shape.N * x.Shape.H * x.Shape.W, "count covers at least this replica's N*H*W");
    }

    public override string Type => "BatchNormBackwardApply";
    public Tensor Dy { get; }
    public Tensor X { get; }
    public Tensor Gamma { get; }
    public Tensor SavedMean { get; }
    public Tensor SavedInvStd { get; }
    public Tensor Sums { get; }
    public Tensor Dx { get; }
    /// <summary>Elements per channel over every rank: N*H*W x ranks.</summary>
    public long Count { get; }
    public override long Flops => X.Shape.ElementCount * 5;

    public override void Record(CommandRecorder rec) =>
        SyncBatchNormKernels.BackwardApply(rec, Nchw(X), Count, rec.Slice(Dy), rec.Slice(X), rec.Slice(Gamma),
            rec.Slice(SavedMean), rec.Slice(SavedInvStd), rec.Slice(Sums), rec.Slice(Dx));

    /// <summary>The CPU double-precision reference of dx.</summary>
    public override void Reference(Checking.ReferenceContext m) =>
        Reference(m[Dy].ToArray(), m[X].ToArray(), m[Gamma].ToArray(), m[SavedMean].ToArray(), m[SavedInvStd].ToArray(), m[Sums].ToArray(),
                  Nchw(X), Count).CopyTo(m[Dx]);

    public static double[] Reference(double[] dy, double[] x, double[] gamma, double[] savedMean, double[] savedInvStd, double[] sums,
                                     NchwShape s, long count)
    {
        var dx = new double[x.Length];
        for (int n = 0; n < s.N; n++)
            for (int c = 0; c < s.C; c++)
                for (int i = 0; i < s.PlaneSize; i++)
                {
                    int j = (n * s.C + c) * s.PlaneSize + i;
                    double xhat = (x[j] - savedMean[c]) * savedInvStd[c];
                    dx[j] = gamma[c] * savedInvStd[c] / count * (count * dy[j] - sums[2 * c] - xhat * sums[2 * c + 1]);
                }
        return dx;
    }
}
