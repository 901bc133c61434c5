using FsCheck;
using FsCheck.Fluent;
using VkResNet.Graph.IO;
using Xunit;

namespace VkResNet.Graph.Tests.IO.Properties;

/// <summary>
/// A corruption of a valid file: some bytes overwritten (half of them within the first 64 bytes, where the
/// headers are) and, one time in four, the file cut short. Its printed form says what was done, for replay.
/// </summary>
public sealed record Corruption(int[] Positions, byte[] Values, int? CutAt)
{
    public byte[] Apply(byte[] valid)
    {
        byte[] data = (byte[])valid.Clone();
        for (int i = 0; i < Positions.Length; i++) data[Positions[i] % data.Length] = Values[i];
        return CutAt is int cut ? data[..(cut % data.Length)] : data;
    }

    public override string ToString() =>
        $"overwrite [{string.Join(", ", Positions.Zip(Values, (p, v) => $"@{p}=0x{v:X2}"))}]" + (CutAt is int c ? $", cut at {c}" : "");
}

/// <summary>FsCheck generators shared by the file-format properties, bounded so each property stays fast.</summary>
public static class FileGen
{
    public static Gen<byte> Byte => Gen.Choose(0, 255).Select(b => (byte)b);

    public static Gen<byte[]> Bytes(int count) => Gen.ArrayOf(Byte, count);

    public static Arbitrary<Corruption> Corruptions { get; } =
        (from n in Gen.Choose(1, 6)
         from positions in Gen.ArrayOf(Gen.Frequency((1, Gen.Choose(0, 63)), (1, Gen.Choose(0, int.MaxValue))), n)
         from values in Bytes(n)
         from cut in Gen.Frequency((3, Gen.Constant<int?>(null)), (1, Gen.Choose(0, int.MaxValue).Select(c => (int?)c)))
         select new Corruption(positions, values, cut)).ToArbitrary();

    /// <summary>
    /// Runs <paramref name="read"/> on corrupt bytes: it may succeed (a flip can land in pixel data) or throw
    /// <typeparamref name="TDocumented"/> with a message; any other exception fails the property.
    /// </summary>
    /// <summary>An image decoder on corrupt bytes: a consistent image, or InvalidDataException and nothing else.</summary>
    public static void DecodesOrThrowsInvalidData(Func<RasterImage> decode) => ReadsOrFailsWith<InvalidDataException>(() =>
    {
        RasterImage img = decode();
        Assert.Equal(img.Width * img.Height * img.Channels, img.Pixels.Length);
    });

    public static void ReadsOrFailsWith<TDocumented>(Action read) where TDocumented : Exception
    {
        try { read(); }
        catch (TDocumented e) { Assert.False(string.IsNullOrWhiteSpace(e.Message), "the documented exception has no message"); }
        catch (Exception e)
        {
            Assert.Fail($"expected only {typeof(TDocumented).Name}, got {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }
    }
}
