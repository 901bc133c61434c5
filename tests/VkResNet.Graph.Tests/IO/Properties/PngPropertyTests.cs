using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VkResNet.Graph.IO;
using VkResNet.Viewer.Rendering;
using Xunit;

namespace VkResNet.Graph.Tests.IO.Properties;

/// <summary>PngWriter then PngReader gives back the same pixels, for every channel count and filter; corrupt PNGs only throw InvalidDataException.</summary>
public class PngPropertyTests
{
    public sealed record PngCase(RasterImage Image, int? Filter)
    {
        public override string ToString() => $"{Image.Width}x{Image.Height}x{Image.Channels} filter {Filter?.ToString() ?? "adaptive"}";
    }

    private static Arbitrary<PngCase> Cases { get; } =
        (from w in Gen.Choose(1, 33)
         from h in Gen.Choose(1, 17)
         from c in Gen.Choose(1, 4)
         from pixels in FileGen.Bytes(w * h * c)
         from filter in Gen.Elements<int?>(null, 0, 1, 2, 3, 4)
         select new PngCase(new RasterImage(w, h, c, pixels), filter)).ToArbitrary();

    [Property(MaxTest = 60, QuietOnSuccess = true)]
    public Property RoundTripKeepsEveryPixel() => Prop.ForAll(Cases, k =>
    {
        RasterImage back = PngReader.Decode(PngWriter.Encode(k.Image, k.Filter));
        Assert.Equal((k.Image.Width, k.Image.Height, k.Image.Channels), (back.Width, back.Height, back.Channels));
        Assert.Equal(k.Image.Pixels, back.Pixels);
    });

    [Property(MaxTest = 150, QuietOnSuccess = true)]
    public Property CorruptPngDecodesOrThrowsInvalidData() => Prop.ForAll(Cases, FileGen.Corruptions, (k, corruption) =>
    {
        byte[] bad = corruption.Apply(PngWriter.Encode(k.Image, k.Filter));
        FileGen.DecodesOrThrowsInvalidData(() => PngReader.Decode(bad));
    });
}
