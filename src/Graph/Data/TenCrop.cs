namespace VkResNet.Graph.Data;

/// <summary>
/// The 10-crop test-time views of He et al. (after Krizhevsky et al.): four corner crops and the centre
/// crop of size Crop x Crop, then the same five mirrored, in torchvision's TenCrop order
/// (top-left, top-right, bottom-left, bottom-right, centre, then their flips). Views are normalised NCHW float32.
/// </summary>
public sealed class TenCropGenerator
{
    public const int ViewCount = 10;
    private readonly float[] _lut;
    private readonly (int Dy, int Dx)[] _offsets;

    public TenCropGenerator(int channels, int height, int width, int crop, Normalization normalization)
    {
        if (crop <= 0 || crop > height || crop > width) throw new ArgumentOutOfRangeException(nameof(crop), $"crop {crop} must fit in {height}x{width}");
        normalization.Validate(channels);
        Channels = channels;
        Height = height;
        Width = width;
        Crop = crop;
        _lut = normalization.BuildLookup();
        // Centre offset rounds half to even, as torchvision's int(round((h - crop) / 2.0)).
        int cy = (int)Math.Round((height - crop) / 2.0, MidpointRounding.ToEven);
        int cx = (int)Math.Round((width - crop) / 2.0, MidpointRounding.ToEven);
        _offsets = [(0, 0), (0, width - crop), (height - crop, 0), (height - crop, width - crop), (cy, cx)];
    }

    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Crop { get; }
    public int ViewFloats => Channels * Crop * Crop;

    /// <summary>Writes the 10 views of one CHW uint8 image into <paramref name="views"/> ([10, C, Crop, Crop]).</summary>
    public void Generate(ReadOnlySpan<byte> image, Span<float> views)
    {
        if (image.Length != Channels * Height * Width) throw new ArgumentException("image size does not match the generator's shape");
        if (views.Length < ViewCount * ViewFloats) throw new ArgumentException($"view buffer holds {views.Length} floats, 10 views need {ViewCount * ViewFloats}");
        for (int v = 0; v < ViewCount; v++)
        {
            (int dy, int dx) = _offsets[v % 5];
            ImageTransform.CropNormalize(image, Channels, Height, Width, dy, dx, Crop, Crop, flip: v >= 5, _lut, views.Slice(v * ViewFloats, ViewFloats));
        }
    }

    /// <summary>Views of images [start, start+count) of a dataset, image i's views at rows 10i..10i+9; returns count.</summary>
    public int GenerateBatch(Dataset data, int start, int count, Span<float> views, Span<int> labels)
    {
        count = Math.Min(count, data.Count - start);
        for (int i = 0; i < count; i++)
        {
            Generate(data.GetImage(start + i), views.Slice(i * ViewCount * ViewFloats, ViewCount * ViewFloats));
            labels[i] = data.GetLabel(start + i);
        }
        return count;
    }

    /// <summary>Averages softmax probabilities over each image's 10 consecutive rows of <paramref name="viewLogits"/>.</summary>
    public static void AverageSoftmax(ReadOnlySpan<float> viewLogits, int images, int classes, Span<float> probabilities)
    {
        probabilities[..(images * classes)].Clear();
        for (int i = 0; i < images * ViewCount; i++)
        {
            ReadOnlySpan<float> row = viewLogits.Slice(i * classes, classes);
            Span<float> dst = probabilities.Slice(i / ViewCount * classes, classes);
            float max = float.NegativeInfinity;
            foreach (float x in row) max = Math.Max(max, x);
            double sum = 0;
            foreach (float x in row) sum += Math.Exp(x - max);
            for (int k = 0; k < classes; k++) dst[k] += (float)(Math.Exp(row[k] - max) / sum / ViewCount);
        }
    }
}
