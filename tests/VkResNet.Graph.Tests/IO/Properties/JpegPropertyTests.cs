using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using VkResNet.Graph.IO;
using VkResNet.Graph.Tests.Support;
using Xunit;

namespace VkResNet.Graph.Tests.IO.Properties;

/// <summary>
/// JpegReader decodes what a baseline encoder with unit quantisers wrote (gray and YCbCr 4:4:4, odd sizes, restart
/// intervals) to within rounding of the original; corrupt JPEGs only throw InvalidDataException.
/// </summary>
public class JpegPropertyTests
{
    public sealed record JpegCase(RasterImage Image, int Restart)
    {
        public override string ToString() => $"{Image.Width}x{Image.Height}x{Image.Channels} restart {Restart}";
    }

    private static Arbitrary<JpegCase> Cases { get; } =
        (from w in Gen.Choose(1, 27)
         from h in Gen.Choose(1, 19)
         from c in Gen.Elements(1, 3)
         from pixels in FileGen.Bytes(w * h * c)
         from restart in Gen.Elements(0, 1, 2, 5)
         select new JpegCase(new RasterImage(w, h, c, pixels), restart)).ToArbitrary();

    // Unit quantisers leave only rounding (at most 0.5 per coefficient, then the colour conversion's); a wrong IDCT,
    // Huffman table, zigzag or restart handling gives errors in the tens.
    private const int MaxError = 8;
    private const double MeanError = 2.0;

    [Property(MaxTest = 40, QuietOnSuccess = true)]
    public Property RoundTripIsWithinRounding() => Prop.ForAll(Cases, k =>
    {
        RasterImage back = JpegReader.Decode(BaselineJpegEncoder.Encode(k.Image, k.Restart));
        Assert.Equal((k.Image.Width, k.Image.Height, k.Image.Channels), (back.Width, back.Height, back.Channels));
        int[] err = k.Image.Pixels.Zip(back.Pixels, (a, b) => Math.Abs(a - b)).ToArray();
        Assert.True(err.Max() <= MaxError && err.Average() <= MeanError,
            $"max error {err.Max()} (allowed {MaxError}), mean {err.Average():F2} (allowed {MeanError}) at pixel {Array.IndexOf(err, err.Max()) / k.Image.Channels}");
    });

    [Property(MaxTest = 150, QuietOnSuccess = true)]
    public Property CorruptJpegDecodesOrThrowsInvalidData() => Prop.ForAll(Cases, FileGen.Corruptions, (k, corruption) =>
    {
        byte[] bad = corruption.Apply(BaselineJpegEncoder.Encode(k.Image, k.Restart));
        FileGen.DecodesOrThrowsInvalidData(() => JpegReader.Decode(bad));
    });
}
