using System.Runtime.InteropServices;
using VkResNet.Runtime;
using VkResNet.Runtime.Native;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Execution;

namespace VkResNet.Graph.Embedding;

/// <summary>Push constants of rgba8_to_nchw.comp.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Rgba8ToNchwPush
{
    public uint Pixels;
    public uint Plane;
    public uint Channels;
    public uint Pad;
    public float Mean0, Mean1, Mean2, Mean3;
    public float Std0, Std1, Std2, Std3;
}

/// <summary>Push constants of rgba8_image_to_nchw.comp.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Rgba8ImageToNchwPush
{
    public uint Width;
    public uint Height;
    public uint Rows;
    public uint Channels;
    public uint Srgb;
    public float Mean0, Mean1, Mean2, Mean3;
    public float Std0, Std1, Std2, Std3;
}

/// <summary>The GPU pre-pass that turns an app's RGBA8 pixels (a buffer, or an image read in place) into the model's normalised NCHW input.</summary>
public static class ImageInputKernels
{
    /// <summary>The image formats the image pre-pass reads: 8-bit RGBA in either memory order, linear or sRGB-encoded (the stored bytes are used as they are).</summary>
    public static readonly IReadOnlyList<VkFormat> ImageFormats = [VkFormat.R8G8B8A8Unorm, VkFormat.R8G8B8A8Srgb, VkFormat.B8G8R8A8Unorm, VkFormat.B8G8R8A8Srgb];

    /// <param name="rgba">batch x height x width pixels, one uint each (R in the low byte)</param>
    /// <param name="y">the NCHW float tensor [batch, mean.Length, height, width]</param>
    public static void Rgba8ToNchw(CommandRecorder r, int batch, int height, int width, ReadOnlySpan<float> mean, ReadOnlySpan<float> std,
                                   BufferSlice rgba, BufferSlice y)
    {
        const string op = "rgba8_to_nchw";
        var (channels, m, d) = Normalisation(op, batch, height, width, mean, std);
        long pixels = (long)batch * height * width;
        FlatGrid.Require(rgba, pixels, op, "rgba");
        FlatGrid.Require(y, pixels * channels, op, "y");
        var push = new Rgba8ToNchwPush
        {
            Pixels = (uint)pixels, Plane = (uint)(height * width), Channels = (uint)channels,
            Mean0 = m[0], Mean1 = m[1], Mean2 = m[2], Mean3 = m[3], Std0 = d[0], Std1 = d[1], Std2 = d[2], Std3 = d[3],
        };
        var (gx, gy) = FlatGrid.Groups(pixels);
        r.Dispatch(op, [], [Access.Read(rgba), Access.Write(y)], push, gx, gy, 1);
    }

    /// <summary>
    /// Throws unless the app's image can feed the image pre-pass for a model input of batch x height x width: one of
    /// <see cref="ImageFormats"/>, SAMPLED usage (it is read through a sampled-image descriptor), width x (height * batch).
    /// </summary>
    public static void RequireRgba8Image(in ExternalImage image, int batch, int height, int width)
    {
        const string op = "rgba8_image_to_nchw";
        if (!ImageFormats.Contains(image.Format))
            throw new ArgumentException($"{op}: {image} is not one of the formats read as RGBA8 ({string.Join(", ", ImageFormats)}).");
        if ((image.Usage & VkImageUsage.SampledBit) == 0)
            throw new ArgumentException($"{op}: {image} lacks VK_IMAGE_USAGE_SAMPLED_BIT; the pre-pass reads the image in place through a sampled-image descriptor, so create it with SAMPLED usage (or register an RGBA8 buffer instead).");
        if (image.Width != width || image.Height != (long)height * batch)
            throw new ArgumentException($"{op}: {image} is {image.Width}x{image.Height}; the model reads {width}x{height} x batch {batch} (images stacked vertically: {width}x{(long)height * batch}).");
    }

    /// <summary>
    /// The pre-pass reading an app's image in place (rgba8_image_to_nchw.comp), recorded as one dispatch into
    /// <paramref name="commands"/>. Returns the binding set it made: the caller owns it and keeps it while the commands may
    /// replay. Not a <see cref="CommandRecorder"/> launcher, since the recorder's hazards cover buffers only: the caller
    /// orders the app's writes to the image before it and the dispatch's write of <paramref name="y"/> before its readers.
    /// </summary>
    /// <param name="image">a view of the app's image, checked with <see cref="RequireRgba8Image"/>; its layout is the app's at execution</param>
    /// <param name="y">the NCHW float tensor [batch, mean.Length, height, width]</param>
    public static BindingSet Rgba8ImageToNchw(Device device, CommandList commands, ImageView image, int batch, int height, int width,
                                              ReadOnlySpan<float> mean, ReadOnlySpan<float> std, BufferSlice y)
    {
        const string op = "rgba8_image_to_nchw";
        var (channels, m, d) = Normalisation(op, batch, height, width, mean, std);
        RequireRgba8Image(image.Image, batch, height, width);
        long rows = (long)batch * height;
        FlatGrid.Require(y, rows * width * channels, op, "y");
        var push = new Rgba8ImageToNchwPush
        {
            Width = (uint)width, Height = (uint)height, Rows = (uint)rows, Channels = (uint)channels,
            Srgb = image.Image.Format is VkFormat.R8G8B8A8Srgb or VkFormat.B8G8R8A8Srgb ? 1u : 0u,
            Mean0 = m[0], Mean1 = m[1], Mean2 = m[2], Mean3 = m[3], Std0 = d[0], Std1 = d[1], Std2 = d[2], Std3 = d[3],
        };
        var kernel = device.GetKernel(op);
        var set = device.CreateBindingSet(kernel, [image, y]);
        try
        {
            commands.Dispatch(kernel, set, push, (uint)((width + 7) / 8), (uint)((rows + 7) / 8));
        }
        catch
        {
            set.Dispose();
            throw;
        }
        return set;
    }

    /// <summary>Checks the shape and normalisation; returns the channel count and mean/std padded to 4 (std with ones).</summary>
    static (int Channels, float[] Mean, float[] Std) Normalisation(string op, int batch, int height, int width, ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        int channels = mean.Length;
        if (channels is < 1 or > 4 || std.Length != channels)
            throw new ArgumentException($"{op}: 1 to 4 channels with one mean and one std each; got {mean.Length} means and {std.Length} stds.");
        if (batch <= 0 || height <= 0 || width <= 0) throw new ArgumentException($"{op}: invalid size {batch}x{height}x{width}.");
        foreach (float s in std)
            if (!(s > 0)) throw new ArgumentException($"{op}: every std must be positive; got {s}.");
        var m = new float[4];
        var d = new float[] { 1, 1, 1, 1 };
        mean.CopyTo(m);
        std.CopyTo(d);
        return (channels, m, d);
    }
}
