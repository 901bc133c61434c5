using VkResNet.Graph.Data;

namespace VkResNet.Viewer.Sources;

/// <summary>
/// The images a model source steps through, as uint8 CHW at the model's input size: either image
/// files (decoded and resized when asked for) or a dataset's test split (with its true labels).
/// </summary>
public sealed class ImageList
{
    readonly Dataset? _dataset;
    readonly IReadOnlyList<string> _files;
    readonly (int C, int H, int W) _size;

    ImageList(Dataset? dataset, IReadOnlyList<string> files, (int C, int H, int W) size)
    {
        _dataset = dataset;
        _files = files;
        _size = size;
    }

    public int Count => _dataset?.Count ?? _files.Count;

    /// <summary>Where the images come from, for messages ("fashion-mnist/test", "2 image files").</summary>
    public string Description => _dataset != null ? _dataset.Name : $"{_files.Count} image file(s)";

    /// <summary>Image files, checked to exist now and decoded (resized to <paramref name="size"/>) when shown.</summary>
    public static ImageList FromFiles(IReadOnlyList<string> files, (int C, int H, int W) size)
    {
        if (files.Count == 0) throw new ArgumentException("No image files given.");
        foreach (var f in files)
            if (!File.Exists(f)) throw new ArgumentException($"No image at {f}.");
        return new ImageList(null, files, size);
    }

    /// <summary>A dataset's test split, named as the vkresnet CLI names it (--data fashion-mnist | cifar10 | images, --data-dir).</summary>
    public static ImageList FromDataset(string kind, string? dir, (int C, int H, int W) size)
    {
        Dataset test;
        switch (kind.ToLowerInvariant())
        {
            case "fashion-mnist" or "fashionmnist" or "fmnist":
                string folder = dir ?? Dataset.DefaultFashionMnistFolder;
                if (!Directory.Exists(folder))
                    throw new ArgumentException($"Fashion-MNIST is not at {folder}. Install it with: sudo apt-get install dataset-fashion-mnist (or pass --data-dir, or --image FILE).");
                test = Dataset.LoadFashionMnist(folder, train: false);
                break;
            case "cifar10" or "cifar-10":
                test = Cifar10Reader.Load(dir ?? throw new ArgumentException("--data cifar10 needs --data-dir, the folder holding test_batch.bin."), train: false);
                break;
            case "images":
                string root = dir ?? throw new ArgumentException("--data images needs --data-dir with a test/<class>/ subfolder.");
                test = ImageFolderDataset.Load(Path.Combine(root, "test"), size.C, size.H, size.W);
                break;
            default:
                throw new ArgumentException($"Unknown dataset \"{kind}\"; use fashion-mnist, cifar10 or images.");
        }
        if ((test.Channels, test.Height, test.Width) != size)
            throw new ArgumentException($"The model expects {size.C}x{size.H}x{size.W} images; {test.Name} has {test.Channels}x{test.Height}x{test.Width}. Pick its dataset with --data, or pass --image FILE (resized).");
        return new ImageList(test, [], size);
    }

    /// <summary>Image <paramref name="index"/> as uint8 CHW of the model's size.</summary>
    public byte[] Pixels(int index) => _dataset != null
        ? _dataset.GetImage(index).ToArray()
        : ImageFolderDataset.LoadImage(_files[index], _size.C, _size.H, _size.W);

    /// <summary>One line about image <paramref name="index"/>: its file name, or its dataset index and true class.</summary>
    public string Caption(int index)
    {
        if (_dataset == null) return Path.GetFileName(_files[index]);
        int label = _dataset.GetLabel(index);
        return $"index {index}, true: {_dataset.ClassNames[label]}";
    }
}
