namespace VkResNet.Graph.Reporting;

/// <summary>
/// Accumulates top-1 and top-5 error and mean softmax cross-entropy from logits, over any number of batches.
/// The label's rank is the number of classes scoring higher, plus those scoring equal with a lower index
/// (so top-1 agrees with ConfusionMatrix.ArgMax, first index on ties); top-k correct means rank &lt; k.
/// Labels below 0 mark batch padding and are skipped. Loss is summed in double for a stable mean.
/// </summary>
public sealed class ClassificationMetrics
{
    public ClassificationMetrics(int classes)
    {
        if (classes <= 0) throw new ArgumentOutOfRangeException(nameof(classes));
        Classes = classes;
    }

    public int Classes { get; }
    public long Count { get; private set; }
    public long Top1Correct { get; private set; }
    public long Top5Correct { get; private set; }
    public double LossSum { get; private set; }

    public double Top1Error => Count == 0 ? double.NaN : 1.0 - (double)Top1Correct / Count;
    /// <summary>Top-5 error; with fewer than 5 classes it is the top-Classes error (always 0).</summary>
    public double Top5Error => Count == 0 ? double.NaN : 1.0 - (double)Top5Correct / Count;
    public double MeanLoss => Count == 0 ? double.NaN : LossSum / Count;

    public void Add(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels)
    {
        if (logits.Length < labels.Length * Classes) throw new ArgumentException($"{logits.Length} logits for {labels.Length} labels of {Classes} classes");
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            if (label < 0) continue;
            if (label >= Classes) throw new ArgumentOutOfRangeException(nameof(labels), $"label {label} outside 0..{Classes - 1}");
            ReadOnlySpan<float> row = logits.Slice(i * Classes, Classes);
            float target = row[label];
            int higher = 0;
            float max = float.NegativeInfinity;
            for (int k = 0; k < Classes; k++)
            {
                float x = row[k];
                if (x > target || (x == target && k < label)) higher++;
                if (x > max) max = x;
            }
            double sum = 0;
            foreach (float x in row) sum += Math.Exp((double)x - max);
            LossSum += Math.Log(sum) - ((double)target - max);
            if (higher < 1) Top1Correct++;
            if (higher < 5) Top5Correct++;
            Count++;
        }
    }

    public void Clear()
    {
        Count = Top1Correct = Top5Correct = 0;
        LossSum = 0;
    }
}
