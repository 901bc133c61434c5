namespace VkResNet.Graph.Tests.Reference;

/// <summary>Double-precision softmax cross-entropy with label smoothing, batch-mean loss.</summary>
public static class CpuSoftmaxCrossEntropy
{
    /// <summary>(mean loss, count of samples whose first argmax equals the label).</summary>
    public static (double MeanLoss, int Correct) Forward(double[] logits, int[] labels, int batch, int classes, double smoothing = 0)
    {
        double total = 0;
        int correct = 0;
        for (int n = 0; n < batch; n++)
        {
            var row = logits.AsSpan(n * classes, classes);
            int argmax = 0;
            for (int k = 1; k < classes; k++)
                if (row[k] > row[argmax])
                    argmax = k;
            double lse = LogSumExp(row, row[argmax]);
            for (int k = 0; k < classes; k++)
                total -= Target(k, labels[n], classes, smoothing) * (row[k] - lse);
            if (argmax == labels[n])
                correct++;
        }
        return (total / batch, correct);
    }

    public static double[] Backward(double[] logits, int[] labels, int batch, int classes, double smoothing = 0)
    {
        var d = new double[batch * classes];
        for (int n = 0; n < batch; n++)
        {
            var row = logits.AsSpan(n * classes, classes);
            double max = double.NegativeInfinity;
            foreach (var v in row)
                max = Math.Max(max, v);
            double lse = LogSumExp(row, max);
            for (int k = 0; k < classes; k++)
                d[n * classes + k] = (Math.Exp(row[k] - lse) - Target(k, labels[n], classes, smoothing)) / batch;
        }
        return d;
    }

    private static double Target(int k, int label, int classes, double smoothing)
        => (k == label ? 1 - smoothing : 0) + smoothing / classes;

    private static double LogSumExp(ReadOnlySpan<double> row, double max)
    {
        double s = 0;
        foreach (var v in row)
            s += Math.Exp(v - max);
        return max + Math.Log(s);
    }
}
