namespace VkResNet.Graph.Tests.Reference;

/// <summary>Fully connected layer y = x W^T + b in double precision; x [n, in], W [out, in] (PyTorch layout).</summary>
public static partial class CpuRef
{
    public static double[] LinearForward(double[] x, double[] w, double[]? b, int n, int inFeatures, int outFeatures)
    {
        var y = new double[n * outFeatures];
        for (int i = 0; i < n; i++)
        for (int o = 0; o < outFeatures; o++)
        {
            double acc = b is null ? 0 : b[o];
            for (int k = 0; k < inFeatures; k++) acc += x[i * inFeatures + k] * w[o * inFeatures + k];
            y[i * outFeatures + o] = acc;
        }
        return y;
    }

    /// <summary>dx [n, in] = dy [n, out] · W [out, in].</summary>
    public static double[] LinearBackwardInput(double[] dy, double[] w, int n, int inFeatures, int outFeatures)
    {
        var dx = new double[n * inFeatures];
        for (int i = 0; i < n; i++)
        for (int k = 0; k < inFeatures; k++)
        {
            double acc = 0;
            for (int o = 0; o < outFeatures; o++) acc += dy[i * outFeatures + o] * w[o * inFeatures + k];
            dx[i * inFeatures + k] = acc;
        }
        return dx;
    }

    /// <summary>dW [out, in] = dy^T [out, n] · x [n, in].</summary>
    public static double[] LinearBackwardWeight(double[] dy, double[] x, int n, int inFeatures, int outFeatures)
    {
        var dw = new double[outFeatures * inFeatures];
        for (int o = 0; o < outFeatures; o++)
        for (int k = 0; k < inFeatures; k++)
        {
            double acc = 0;
            for (int i = 0; i < n; i++) acc += dy[i * outFeatures + o] * x[i * inFeatures + k];
            dw[o * inFeatures + k] = acc;
        }
        return dw;
    }

    /// <summary>db [out] = the column sums of dy.</summary>
    public static double[] LinearBackwardBias(double[] dy, int n, int outFeatures)
    {
        var db = new double[outFeatures];
        for (int i = 0; i < n; i++)
        for (int o = 0; o < outFeatures; o++) db[o] += dy[i * outFeatures + o];
        return db;
    }
}
