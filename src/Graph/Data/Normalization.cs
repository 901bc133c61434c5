namespace VkResNet.Graph.Data;

/// <summary>Per-channel mean and std in [0,1] pixel units: x = (pixel/255 - mean[c]) / std[c].</summary>
public sealed record Normalization(float[] Mean, float[] Std)
{
    public int Channels => Mean.Length;

    public static Normalization FashionMnist { get; } = new([0.2860f], [0.3530f]);

    /// <summary>CIFAR-10 training-set statistics (the true per-pixel std, not the often-copied 0.2023/0.1994/0.2010).</summary>
    public static Normalization Cifar10 { get; } = new([0.4914f, 0.4822f, 0.4465f], [0.2470f, 0.2435f, 0.2616f]);

    /// <summary>ImageNet statistics, as torchvision's pretrained models expect.</summary>
    public static Normalization ImageNet { get; } = new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    public static Normalization None(int channels) => new(new float[channels], Enumerable.Repeat(1f, channels).ToArray());

    /// <summary>Statistics measured over a dataset (for an image folder with no published values).</summary>
    public static Normalization Compute(Dataset data)
    {
        int plane = data.Height * data.Width;
        var sum = new double[data.Channels];
        var sumSq = new double[data.Channels];
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<byte> img = data.GetImage(i);
            for (int c = 0; c < data.Channels; c++)
            {
                foreach (byte b in img.Slice(c * plane, plane))
                {
                    sum[c] += b;
                    sumSq[c] += b * b;
                }
            }
        }
        double n = (double)data.Count * plane;
        var mean = new float[data.Channels];
        var std = new float[data.Channels];
        for (int c = 0; c < data.Channels; c++)
        {
            double m = sum[c] / n;
            mean[c] = (float)(m / 255);
            std[c] = (float)(Math.Sqrt(Math.Max(sumSq[c] / n - m * m, 1e-12)) / 255);
        }
        return new Normalization(mean, std);
    }

    /// <summary>256 precomputed outputs per channel, so normalising a pixel is one table load.</summary>
    internal float[] BuildLookup()
    {
        var lut = new float[Channels * 256];
        for (int c = 0; c < Channels; c++)
            for (int v = 0; v < 256; v++)
                lut[c * 256 + v] = (float)((v / 255.0 - Mean[c]) / Std[c]);
        return lut;
    }

    internal void Validate(int channels)
    {
        if (Mean.Length != channels || Std.Length != channels)
            throw new ArgumentException($"normalization has {Mean.Length} means and {Std.Length} stds for {channels} channels");
        if (Std.Any(s => !(s > 0))) throw new ArgumentException("normalization std must be positive");
    }
}
