namespace VkResNet.Graph.Tests.Reference;

/// <summary>Central finite differences of the scalar loss L(p) = sum(f(p) * g) with respect to p.</summary>
public static class FiniteDifference
{
    public static double[] Gradient(Func<double[]> forward, double[] p, double[] g, double h = 1e-5)
    {
        var grad = new double[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            double keep = p[i];
            p[i] = keep + h;
            double plus = Dot(forward(), g);
            p[i] = keep - h;
            double minus = Dot(forward(), g);
            p[i] = keep;
            grad[i] = (plus - minus) / (2 * h);
        }
        return grad;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
