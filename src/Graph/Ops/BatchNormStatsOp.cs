using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Kernels;

namespace VkResNet.Graph.Ops;

/// <summary>
/// SyncBatchNorm's statistics pass: stats[2c] = sum (x - shift[c]), stats[2c + 1] = sum (x - shift[c])^2 over
/// this replica's N*H*W, shift = the running mean (the same on every rank). The ranks' [2C] sums are all-reduced
/// on the host before <see cref="BatchNormApplyOp"/> normalises with them.
/// </summary>
public sealed class BatchNormStatsOp : Op
{
    public BatchNormStatsOp(string name, Tensor x, Tensor shift, Tensor stats) : base(name)
    {
        X = Read(x);
        Shift = Read(shift);
        Stats = Write(stats);
        Require(x.Shape.Rank == 4, "x must be NCHW");
        Require(shift.Shape == new TensorShape(x.Shape.C), "shift must be [C]");
        Require(stats.Shape == new TensorShape(2 * x.Shape.C), "stats must be [2C]");
    }

    public override string Type => "BatchNormStats";
    public Tensor X { get; }
    public Tensor Shift { get; }
    public Tensor Stats { get; }
    public override long Flops => X.Shape.ElementCount * 4;

    // The gradient through the batch statistics is part of BatchNormApplyOp's backward (as in BatchNormOp's formula).
    public override bool IsDifferentiable => true;
    public override void Backward(Autodiff.BackwardContext ctx) { }

    public override void Record(CommandRecorder rec) =>
        SyncBatchNormKernels.Stats(rec, Nchw(X), rec.Slice(X), rec.Slice(Shift), rec.Slice(Stats));

    public override void Reference(Checking.ReferenceContext m) =>
        Reference(m[X].ToArray(), m[Shift].ToArray(), Nchw(X)).CopyTo(m[Stats]);

    /// <summary>The CPU double-precision reference: the [2C] shifted sums.</summary>
    public static double[] Reference(double[] x, double[] shift, NchwShape s)
    {
        var stats = new double[2 * s.C];
        for (int n = 0; n < s.N; n++)
            for (int c = 0; c < s.C; c++)
                for (int i = 0; i < s.PlaneSize; i++)
                {
                    double d = x[(n * s.C + c) * s.PlaneSize + i] - shift[c];
                    stats[2 * c] += d;
                    stats[2 * c + 1] += d * d;
                }
        return stats;
    }
}
