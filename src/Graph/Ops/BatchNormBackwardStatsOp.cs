using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Kernels;

namespace VkResNet.Graph.Ops;

/// <summary>
/// SyncBatchNorm's backward statistics pass: with xhat = (x - mean) * invstd from the saved statistics, this replica's
/// sums[2c] = sum dy and sums[2c + 1] = sum dy * xhat (all-reduced on the host before <see cref="BatchNormBackwardApplyOp"/>),
/// and the same local sums as dbeta and dgamma (this rank's parameter gradients, averaged by the gradient buckets).
/// </summary>
public sealed class BatchNormBackwardStatsOp : Op
{
    public BatchNormBackwardStatsOp(string name, Tensor dy, Tensor x, Tensor savedMean, Tensor savedInvStd,
                                    Tensor sums, Tensor dgamma, Tensor dbeta, (Tensor Y, Tensor Dresidual)? reluOutput = null) : base(name)
    {
        Dy = Read(dy);
        X = Read(x);
        SavedMean = Read(savedMean);
        SavedInvStd = Read(savedInvStd);
        Sums = Write(sums);
        Dgamma = Write(dgamma);
        Dbeta = Write(dbeta);
        if (reluOutput is { } relu)
        {
            Y = Read(relu.Y);
            Dresidual = Write(relu.Dresidual);
            Require(relu.Y.Shape == x.Shape && relu.Dresidual.Shape == x.Shape, "y and dresidual must be x's shape");
        }
        var c = new TensorShape(x.Shape.C);
        Require(x.Shape.Rank == 4 && dy.Shape == x.Shape, "dy and x must be the same NCHW shape");
        Require(savedMean.Shape == c && savedInvStd.Shape == c && dgamma.Shape == c && dbeta.Shape == c, "per-channel tensors must be [C]");
        Require(sums.Shape == new TensorShape(2 * x.Shape.C), "sums must be [2C]");
    }

    public override string Type => Y is null ? "BatchNormBackwardStats" : "BnAddReluBackwardStats";
    /// <summary>The fused tail's output y = relu(bn(x) + residual): dy is masked by y &gt; 0 and written to <see cref="Dresidual"/>.</summary>
    public Tensor? Y { get; }
    public Tensor? Dresidual { get; }
    public Tensor Dy { get; }
    public Tensor X { get; }
    public Tensor SavedMean { get; }
    public Tensor SavedInvStd { get; }
    public Tensor Sums { get; }
    public Tensor Dgamma { get; }
    public Tensor Dbeta { get; }
    public override long Flops => X.Shape.ElementCount * 4;

    public override void Record(CommandRecorder rec) =>
        SyncBatchNormKernels.BackwardStats(rec, Nchw(X), rec.Slice(Dy), rec.Slice(X), rec.Slice(SavedMean),
            rec.Slice(SavedInvStd), rec.Slice(Sums), rec.Slice(Dgamma), rec.Slice(Dbeta),
            Y is null ? null : (rec.Slice(Y), rec.Slice(Dresidual!)));

    // Writes the local sums, dbeta = sum dy and dgamma = sum dy * xhat (this rank's), and with the fused ReLU the masked dy as dresidual.
    public override void Reference(Checking.ReferenceContext m)
    {
        var dy = m[Dy].ToArray();
        double[]? y = Y is null ? null : m[Y].ToArray();
        var sums = Reference(dy, m[X].ToArray(), m[SavedMean].ToArray(), m[SavedInvStd].ToArray(), Nchw(X), y);
        sums.CopyTo(m[Sums]);
        var dgamma = m[Dgamma]; var dbeta = m[Dbeta];
        for (int c = 0; c < dbeta.Length; c++) { dbeta[c] = sums[2 * c]; dgamma[c] = sums[2 * c + 1]; }
        if (y is not null)
        {
            var dr = m[Dresidual!];
            for (int j = 0; j < dr.Length; j++) dr[j] = y[j] > 0 ? dy[j] : 0;
        }
    }

    /// <summary>The CPU double-precision reference: the [2C] sums (sum dy, sum dy * xhat); dbeta and dgamma are the same values.</summary>
    /// <summary>With <paramref name="reluOutput"/>, dy is masked by y &gt; 0 first.</summary>
    public static double[] Reference(double[] dy, double[] x, double[] savedMean, double[] savedInvStd, NchwShape s, double[]? reluOutput = null)
    {
        if (reluOutput != null) dy = dy.Select((g, j) => reluOutput[j] > 0 ? g : 0).ToArray();
        var sums = new double[2 * s.C];
        for (int n = 0; n < s.N; n++)
            for (int c = 0; c < s.C; c++)
                for (int i = 0; i < s.PlaneSize; i++)
                {
                    int j = (n * s.C + c) * s.PlaneSize + i;
                    sums[2 * c] += dy[j];
                    sums[2 * c + 1] += dy[j] * (x[j] - savedMean[c]) * savedInvStd[c];
                }
        return sums;
    }
}
