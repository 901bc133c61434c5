using VkResNet.Graph.Data;
using Xunit;

namespace VkResNet.Graph.Tests.Data;

/// <summary>A fact that runs only where the Fashion-MNIST files are installed.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (!File.Exists(Path.Combine(Dataset.DefaultFashionMnistFolder, "train-images-idx3-ubyte.gz")))
            Skip = $"Fashion-MNIST is not installed in {Dataset.DefaultFashionMnistFolder}";
    }
}

public class FashionMnistTests
{
    [FashionMnistFact]
    public void LoadsTheRealDataset()
    {
        Dataset train = Dataset.LoadFashionMnist(train: true);
        Dataset test = Dataset.LoadFashionMnist(train: false);
        Assert.Equal(60000, train.Count);
        Assert.Equal(10000, test.Count);
        foreach (Dataset d in new[] { train, test })
        {
            Assert.Equal((1, 28, 28), (d.Channels, d.Height, d.Width));
            Assert.Equal(Enumerable.Range(0, 10), d.Labels.ToArray().Distinct().Order());
            Assert.Equal("Ankle boot", d.ClassNames[9]);
        }
        // Fashion-MNIST is balanced: 6000 / 1000 images per class.
        Assert.All(train.Labels.ToArray().GroupBy(l => l), g => Assert.Equal(6000, g.Count()));
        Assert.All(test.Labels.ToArray().GroupBy(l => l), g => Assert.Equal(1000, g.Count()));
        Normalization n = Normalization.Compute(train);
        Assert.InRange(n.Mean[0], 0.2855, 0.2865);
        Assert.InRange(n.Std[0], 0.3525, 0.3535);
    }
}
