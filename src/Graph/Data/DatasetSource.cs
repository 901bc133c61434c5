namespace VkResNet.Graph.Data;

/// <summary>Which reader a dataset needs.</summary>
public enum DatasetKind { FashionMnist, Mnist, Cifar10, ImageFolder }

/// <summary>
/// A dataset named on a command line: "fashion-mnist[:folder]", "mnist:folder", "cifar10:folder" or
/// "folder:root" (root/train/&lt;class&gt;/... and root/test/ or root/val/), with the normalisation and
/// augmentation that suit it. Loading is separate from parsing so a CLI can validate arguments first.
/// </summary>
public sealed record DatasetSource(DatasetKind Kind, string Path)
{
    public const string Syntax = "fashion-mnist[:FOLDER] | mnist:FOLDER | cifar10:FOLDER | folder:ROOT";

    public static DatasetSource Parse(string spec)
    {
        int colon = spec.IndexOf(':');
        string kind = (colon < 0 ? spec : spec[..colon]).Trim().ToLowerInvariant();
        string? path = colon < 0 ? null : spec[(colon + 1)..].Trim();
        if (path is { Length: 0 }) path = null;
        return kind switch
        {
            "fashion-mnist" or "fashionmnist" or "fmnist" => new(DatasetKind.FashionMnist, path ?? Dataset.DefaultFashionMnistFolder),
            "mnist" => new(DatasetKind.Mnist, path ?? throw new DatasetException($"'{spec}': mnist needs a folder (mnist:FOLDER)")),
            "cifar10" or "cifar-10" => new(DatasetKind.Cifar10, path ?? throw new DatasetException($"'{spec}': cifar10 needs a folder (cifar10:FOLDER)")),
            "folder" or "imagefolder" => new(DatasetKind.ImageFolder, path ?? throw new DatasetException($"'{spec}': folder needs a root (folder:ROOT)")),
            _ => throw new DatasetException($"'{spec}': unknown dataset; expected {Syntax}"),
        };
    }

    /// <summary>
    /// Loads the training or test split. <paramref name="channels"/>, <paramref name="height"/> and <paramref name="width"/>
    /// apply to image folders only (the others have a fixed shape); they default to 3 x 32 x 32.
    /// </summary>
    public Dataset Load(bool train, int? channels = null, int? height = null, int? width = null)
    {
        switch (Kind)
        {
            case DatasetKind.FashionMnist:
                return Dataset.LoadFashionMnist(Path, train);
            case DatasetKind.Mnist:
                return Dataset.LoadFashionMnist(Path, train, Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
            case DatasetKind.Cifar10:
                return Cifar10Reader.Load(Path, train);
            default:
                string split = train ? "train" : new[] { "test", "val" }.FirstOrDefault(s => Directory.Exists(System.IO.Path.Combine(Path, s)))
                    ?? throw new DatasetException($"{Path}: no test/ or val/ folder for the test split");
                return ImageFolderDataset.Load(System.IO.Path.Combine(Path, split), channels ?? 3, height ?? 32, width ?? 32);
        }
    }

    /// <summary>Published statistics where they exist; measured on <paramref name="train"/> for an image folder.</summary>
    public Normalization DefaultNormalization(Dataset train) => Kind switch
    {
        DatasetKind.FashionMnist => Normalization.FashionMnist,
        DatasetKind.Mnist => new Normalization([0.1307f], [0.3081f]),
        DatasetKind.Cifar10 => Normalization.Cifar10,
        _ => Normalization.Compute(train),
    };

    /// <summary>
    /// CIFAR-10: the paper's pad-4 crop and flip. Fashion-MNIST: pad-2 crop and flip (clothes are mirror-symmetric).
    /// MNIST: none (a mirrored digit is another glyph). Image folders: pad of 1/8 of the side and flip.
    /// </summary>
    public Augmentation DefaultAugmentation(Dataset train) => Kind switch
    {
        DatasetKind.Cifar10 => Augmentation.Standard,
        DatasetKind.FashionMnist => new Augmentation(RandomCrop: true, Padding: 2, HorizontalFlip: true),
        DatasetKind.Mnist => Augmentation.None,
        _ => new Augmentation(RandomCrop: true, Padding: Math.Max(1, Math.Min(train.Height, train.Width) / 8), HorizontalFlip: true),
    };
}
