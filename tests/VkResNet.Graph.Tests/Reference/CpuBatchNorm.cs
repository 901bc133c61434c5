using VkResNet.Graph.Kernels;

namespace VkResNet.Graph.Tests.Reference;

/// <summary>Double-precision batch norm (PyTorch semantics), same argument order as BatchNormKernels.</summary>
public static class CpuBatchNorm
{
    public sealed record TrainResult(double[] Y, double[] SavedMean, double[] SavedInvStd, double[] RunningMean, double[] RunningVar);

    public sealed record BackwardResult(double[] Dx, double[] Dgamma, double[] Dbeta, double[]? Dresidual = null);

    public static int Index(NchwShape s, int n, int c, int i) => (n * s.C + c) * s.PlaneSize + i;

    /// <summary>Batch mean and biased variance per channel (two passes).</summary>
    public static (double[] Mean, double[] Var) BatchStats(double[] x, NchwShape s)
    {
        var mean = new double[s.C];
        var var = new double[s.C];
        int m = s.N * s.PlaneSize;
        for (int c = 0; c < s.C; c++)
        {
            double sum = 0;
            for (int n = 0; n < s.N; n++)
                for (int i = 0; i < s.PlaneSize; i++)
                    sum += x[Index(s, n, c, i)];
            mean[c] = sum / m;
            double q = 0;
            for (int n = 0; n < s.N; n++)
                for (int i = 0; i < s.PlaneSize; i++)
                {
                    double d = x[Index(s, n, c, i)] - mean[c];
                    q += d * d;
                }
            var[c] = q / m;
        }
        return (mean, var);
    }

    public static TrainResult ForwardTrain(double[] x, double[] gamma, double[] beta, double[] runningMean, double[] runningVar,
        NchwShape s, double eps = 1e-5, double momentum = 0.1)
        => ForwardTrainCore(x, null, gamma, beta, runningMean, runningVar, s, eps, momentum);

    /// <summary>y = relu(bn(x) + residual) with batch statistics; running statistics updated as in ForwardTrain.</summary>
    public static TrainResult ForwardTrainAddRelu(double[] x, double[] residual, double[] gamma, double[] beta,
        double[] runningMean, double[] runningVar, NchwShape s, double eps = 1e-5, double momentum = 0.1)
        => ForwardTrainCore(x, residual, gamma, beta, runningMean, runningVar, s, eps, momentum);

    private static TrainResult ForwardTrainCore(double[] x, double[]? residual, double[] gamma, double[] beta,
        double[] runningMean, double[] runningVar, NchwShape s, double eps, double momentum)
    {
        var (mean, var) = BatchStats(x, s);
        int m = s.N * s.PlaneSize;
        var y = new double[x.Length];
        var invstd = new double[s.C];
        var rm = new double[s.C];
        var rv = new double[s.C];
        for (int c = 0; c < s.C; c++)
        {
            invstd[c] = 1.0 / Math.Sqrt(var[c] + eps);
            double unbiased = m > 1 ? var[c] * m / (m - 1) : var[c];
            rm[c] = (1 - momentum) * runningMean[c] + momentum * mean[c];
            rv[c] = (1 - momentum) * runningVar[c] + momentum * unbiased;
            for (int n = 0; n < s.N; n++)
                for (int i = 0; i < s.PlaneSize; i++)
                {
                    int k = Index(s, n, c, i);
                    double v = gamma[c] * (x[k] - mean[c]) * invstd[c] + beta[c];
                    y[k] = residual is null ? v : Math.Max(v + residual[k], 0);
                }
        }
        return new TrainResult(y, mean, invstd, rm, rv);
    }

    public static double[] ForwardInfer(double[] x, double[] gamma, double[] beta, double[] runningMean, double[] runningVar,
        NchwShape s, double eps = 1e-5)
    {
        var y = new double[x.Length];
        for (int n = 0; n < s.N; n++)
            for (int c = 0; c < s.C; c++)
                for (int i = 0; i < s.PlaneSize; i++)
                {
                    int k = Index(s, n, c, i);
                    y[k] = (x[k] - runningMean[c]) / Math.Sqrt(runningVar[c] + eps) * gamma[c] + beta[c];
                }
        return y;
    }

    /// <summary>dx, dgamma, dbeta from the saved batch statistics.</summary>
    public static BackwardResult Backward(double[] dy, double[] x, double[] gamma, double[] savedMean, double[] savedInvStd, NchwShape s)
    {
        var dx = new double[x.Length];
        var dgamma = new double[s.C];
        var dbeta = new double[s.C];
        int m = s.N * s.PlaneSize;
        for (int c = 0; c < s.C; c++)
        {
            double sg = 0, sgx = 0;
            for (int n = 0; n < s.N; n++)
                for (int i = 0; i < s.PlaneSize; i++)
                {
                    int k = Index(s, n, c, i);
                    sg += dy[k];
                    sgx += dy[k] * (x[k] - savedMean[c]) * savedInvStd[c];
                }
            dbeta[c] = sg;
            dgamma[c] = sgx;
            for (int n = 0; n < s.N; n++)
                for (int i = 0; i < s.PlaneSize; i++)
                {
                    int k = Index(s, n, c, i);
                    double xhat = (x[k] - savedMean[c]) * savedInvStd[c];
                    dx[k] = gamma[c] * savedInvStd[c] / m * (m * dy[k] - sg - xhat * sgx);
                }
        }
        return new BackwardResult(dx, dgamma, dbeta);
    }

    /// <summary>Backward of ForwardTrainAddRelu, ReLU mask from the output y: dresidual = dy * (y &gt; 0).</summary>
    public static BackwardResult BackwardAddRelu(double[] dy, double[] y, double[] x, double[] gamma, double[] savedMean,
        double[] savedInvStd, NchwShape s)
    {
        var g = new double[dy.Length];
        for (int i = 0; i < g.Length; i++)
            g[i] = y[i] > 0 ? dy[i] : 0;
        var bn = Backward(g, x, gamma, savedMean, savedInvStd, s);
        return bn with { Dresidual = g };
    }
}
