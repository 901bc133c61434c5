namespace VkResNet.Graph.Reporting;

/// <summary>Counts of (true class, predicted class) pairs; rows are the truth, columns the prediction.</summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    public ConfusionMatrix(int classes)
    {
        if (classes <= 0) throw new ArgumentOutOfRangeException(nameof(classes));
        Classes = classes;
        _counts = new long[classes * classes];
    }

    public int Classes { get; }
    public long Total { get; private set; }
    public long this[int truth, int predicted] => _counts[truth * Classes + predicted];

    public void Add(int truth, int predicted)
    {
        if ((uint)truth >= (uint)Classes || (uint)predicted >= (uint)Classes)
            throw new ArgumentOutOfRangeException(nameof(truth), $"class pair ({truth}, {predicted}) outside 0..{Classes - 1}");
        _counts[truth * Classes + predicted]++;
        Total++;
    }

    /// <summary>Adds the arg-max of each row of <paramref name="logits"/> ([n, Classes]); labels below 0 (batch padding) are skipped.</summary>
    public void AddLogits(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0) continue;
            Add(labels[i], ArgMax(logits.Slice(i * Classes, Classes)));
        }
    }

    public double Accuracy
    {
        get
        {
            long correct = 0;
            for (int k = 0; k < Classes; k++) correct += this[k, k];
            return Total == 0 ? double.NaN : (double)correct / Total;
        }
    }

    /// <summary>Recall per class (correct / images of that class); NaN for a class with no images.</summary>
    public double[] PerClassAccuracy()
    {
        var acc = new double[Classes];
        for (int k = 0; k < Classes; k++)
        {
            long row = 0;
            for (int p = 0; p < Classes; p++) row += this[k, p];
            acc[k] = row == 0 ? double.NaN : (double)this[k, k] / row;
        }
        return acc;
    }

    public void Clear()
    {
        Array.Clear(_counts);
        Total = 0;
    }

    /// <summary>CSV with a header row of class names and one row per true class.</summary>
    public string ToCsv(IReadOnlyList<string>? classNames = null)
    {
        string Name(int k) => classNames is not null && k < classNames.Count ? Quote(classNames[k]) : k.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var sb = new System.Text.StringBuilder();
        sb.Append("truth\\predicted");
        for (int p = 0; p < Classes; p++) sb.Append(',').Append(Name(p));
        sb.Append('\n');
        for (int t = 0; t < Classes; t++)
        {
            sb.Append(Name(t));
            for (int p = 0; p < Classes; p++) sb.Append(',').Append(this[t, p]);
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string Quote(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    /// <summary>Index of the largest value; the first one on ties, as torch.argmax.</summary>
    public static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int k = 1; k < row.Length; k++) if (row[k] > row[best]) best = k;
        return best;
    }
}
