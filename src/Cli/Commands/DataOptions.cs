using System.CommandLine;
using VkResNet.Graph.Data;
using VkResNet.Graph.Edge;

namespace VkResNet.Cli.Commands;

/// <summary>--data and --data-dir: which dataset a command reads.</summary>
public sealed class DataOptions
{
    public Option<string> Kind { get; } = new("--data")
    {
        Description = "Dataset: fashion-mnist (Debian's dataset-fashion-mnist), cifar10 (binary batches in --data-dir) or images (--data-dir/train/<class>/ and --data-dir/test/<class>/ holding PNG, baseline JPEG or PGM/PPM files)",
        DefaultValueFactory = _ => "fashion-mnist",
    };

    public Option<string?> Directory { get; } = new("--data-dir")
    {
        Description = $"Dataset folder (default for fashion-mnist: {Dataset.DefaultFashionMnistFolder})",
    };

    public void AddTo(Command c)
    {
        c.Options.Add(Kind);
        c.Options.Add(Directory);
    }

    /// <summary>Loads (train, test). Image folders are resized to <paramref name="imageSize"/> (C, H, W) when given, else 3x32x32.</summary>
    public static (Dataset Train, Dataset Test) Load(string kind, string? dir, (int C, int H, int W)? imageSize = null)
    {
        switch (kind.ToLowerInvariant())
        {
            case "fashion-mnist" or "fashionmnist" or "fmnist":
                string folder = dir ?? Dataset.DefaultFashionMnistFolder;
                if (!System.IO.Directory.Exists(folder))
                    throw new BadInputException($"Fashion-MNIST is not at {folder}. Install it with: sudo apt-get install dataset-fashion-mnist (or pass --data-dir).");
                return (Dataset.LoadFashionMnist(folder, train: true), Dataset.LoadFashionMnist(folder, train: false));
            case "cifar10" or "cifar-10":
                if (dir is null) throw new UserInputException("--data cifar10 needs --data-dir, the folder holding data_batch_1.bin ... test_batch.bin.");
                return (Cifar10Reader.Load(dir, train: true), Cifar10Reader.Load(dir, train: false));
            case "images":
                if (dir is null) throw new UserInputException("--data images needs --data-dir with train/<class>/ and test/<class>/ subfolders.");
                var (c, h, w) = imageSize ?? (3, 32, 32);
                return (ImageFolderDataset.Load(Path.Combine(dir, "train"), c, h, w), ImageFolderDataset.Load(Path.Combine(dir, "test"), c, h, w));
            default:
                throw new UserInputException($"Unknown dataset \"{kind}\"; use fashion-mnist, cifar10 or images.");
        }
    }
}
