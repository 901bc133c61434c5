namespace VkResNet.Graph.Data;

/// <summary>
/// An in-memory labelled image set: Count images of Channels x Height x Width uint8 pixels,
/// each stored planar (CHW) so a batch is filled with one pass per channel.
/// Every reader (IDX, CIFAR-10, image folder) produces one of these.
/// </summary>
public sealed class Dataset
{
    private readonly byte[] _pixels;
    private readonly int[] _labels;

    public Dataset(string name, int channels, int height, int width, byte[] pixels, int[] labels, IReadOnlyList<string> classNames)
    {
        if (channels <= 0 || height <= 0 || width <= 0)
            throw new DatasetException($"{name}: image shape {channels}x{height}x{width} must be positive");
        long imageBytes = (long)channels * height * width;
        if (pixels.LongLength != imageBytes * labels.Length)
            throw new DatasetException($"{name}: {pixels.LongLength} pixel bytes do not hold {labels.Length} images of {channels}x{height}x{width}");
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classNames.Count)
                throw new DatasetException($"{name}: label {labels[i]} of image {i} is outside 0..{classNames.Count - 1}");
        }
        Name = name;
        Channels = channels;
        Height = height;
        Width = width;
        _pixels = pixels;
        _labels = labels;
        ClassNames = classNames;
    }

    public string Name { get; }
    public int Count => _labels.Length;
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int ImageBytes => Channels * Height * Width;
    public IReadOnlyList<string> ClassNames { get; }
    public int ClassCount => ClassNames.Count;
    public ReadOnlySpan<int> Labels => _labels;
    public int GetLabel(int index) => _labels[index];

    /// <summary>Image <paramref name="index"/> as CHW uint8.</summary>
    public ReadOnlySpan<byte> GetImage(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
        return new ReadOnlySpan<byte>(_pixels, index * ImageBytes, ImageBytes);
    }

    /// <summary>The first <paramref name="count"/> images (a quick subset for smoke runs).</summary>
    public Dataset Take(int count)
    {
        count = Math.Clamp(count, 0, Count);
        return new Dataset(Name, Channels, Height, Width, _pixels.AsSpan(0, count * ImageBytes).ToArray(), _labels.AsSpan(0, count).ToArray(), ClassNames);
    }

    public static readonly IReadOnlyList<string> FashionMnistClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public static readonly IReadOnlyList<string> Cifar10ClassNames =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    public const string DefaultFashionMnistFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>Fashion-MNIST (or MNIST with <paramref name="classNames"/>) from the four IDX files in a folder, gzip or plain.</summary>
    public static Dataset LoadFashionMnist(string? folder = null, bool train = true, IReadOnlyList<string>? classNames = null)
    {
        folder ??= DefaultFashionMnistFolder;
        string prefix = train ? "train" : "t10k";
        string images = IdxReader.FindFile(folder, $"{prefix}-images-idx3-ubyte");
        string labels = IdxReader.FindFile(folder, $"{prefix}-labels-idx1-ubyte");
        return IdxReader.ReadDataset(images, labels, classNames ?? FashionMnistClassNames, train ? "fashion-mnist/train" : "fashion-mnist/test");
    }
}
