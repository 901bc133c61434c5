using Xunit;

namespace VkResNet.Viewer.Tests;

/// <summary>The model-source options as parsed (no GPU): repeated --image, --index, --checkpoint / --live, --data.</summary>
public sealed class OptionsTests
{
    [Fact]
    public void Model_options_are_parsed_and_images_accumulate()
    {
        var o = ViewerOptions.Parse(["--checkpoint", "a.safetensors", "--image", "x.png", "--image", "y.jpg", "--index", "1", "--data", "cifar10", "--data-dir", "/d"]);
        Assert.Equal("a.safetensors", o.Checkpoint);
        Assert.Equal(["x.png", "y.jpg"], o.Images);
        Assert.Equal((1, "cifar10", "/d"), (o.Index, o.Data, o.DataDir));
        Assert.Null(o.LiveRun);
        Assert.False(o.Synthetic);
    }

    [Fact]
    public void Defaults_view_fashion_mnist_from_the_first_image()
    {
        var o = ViewerOptions.Parse([]);
        Assert.Equal((0, "fashion-mnist", (string?)null, (string?)null, 0), (o.Index, o.Data, o.DataDir, o.Checkpoint, o.Images.Count));
    }

    [Theory]
    [InlineData("--live runs/a --checkpoint b", "not both")]
    [InlineData("--synthetic --checkpoint b", "--synthetic draws made-up tensors")]
    [InlineData("--synthetic --live runs/a", "--synthetic draws made-up tensors")]
    [InlineData("--index -1", "--index needs an integer >= 0")]
    [InlineData("--image", "--image needs a value")]
    public void Conflicting_or_incomplete_options_are_refused(string args, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ViewerOptions.Parse(args.Split(' ')));
        Assert.Contains(message, e.Message);
    }
}
