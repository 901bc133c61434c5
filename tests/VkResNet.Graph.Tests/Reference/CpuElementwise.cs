namespace VkResNet.Graph.Tests.Reference;

/// <summary>Double-precision ReLU, residual add and accumulate.</summary>
public static class CpuElementwise
{
    public static double[] ReluForward(double[] x) => Array.ConvertAll(x, v => Math.Max(v, 0));

    /// <summary>dx = dy where the forward output y &gt; 0.</summary>
    public static double[] ReluBackward(double[] dy, double[] y)
    {
        var dx = new double[dy.Length];
        for (int i = 0; i < dx.Length; i++)
            dx[i] = y[i] > 0 ? dy[i] : 0;
        return dx;
    }

    public static double[] Add(double[] a, double[] b)
    {
        var y = new double[a.Length];
        for (int i = 0; i < y.Length; i++)
            y[i] = a[i] + b[i];
        return y;
    }

    /// <summary>Returns y + x (the value y holds after accumulate).</summary>
    public static double[] Accumulate(double[] x, double[] y) => Add(y, x);
}
