using System.Runtime.InteropServices;
using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

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

/// <summary>The GPU pre-pass that turns an app's RGBA8 pixels into the model's normalised NCHW input.</summary>
public static class ImageInputKernels
{
    /// <param name="rgba">batch x height x width pixels, one uint each (R in the low byte)</param>
    /// <param name="y">the NCHW float tensor [batch, mean.Length, height, width]</param>
    public static void Rgba8ToNchw(IDispatchRecorder r, int batch, int height, int width, ReadOnlySpan<float> mean, ReadOnlySpan<float> std,
                                   BufferSlice rgba, BufferSlice y)
    {
        const string op = "rgba8_to_nchw";
        int channels = mean.Length;
        if (channels is < 1 or > 4 || std.Length != channels)
            throw new ArgumentException($"{op}: 1 to 4 channels with one mean and one std each; got {mean.Length} means and {std.Length} stds.");
        if (batch <= 0 || height <= 0 || width <= 0) throw new ArgumentException($"{op}: invalid size {batch}x{height}x{width}.");
        foreach (float s in std)
            if (!(s > 0)) throw new ArgumentException($"{op}: every std must be positive; got {s}.");
        long pixels = (long)batch * height * width;
        FlatGrid.Require(rgba, pixels, op, "rgba");
        FlatGrid.Require(y, pixels * channels, op, "y");
        Span<float> m = stackalloc float[4];
        Span<float> d = stackalloc float[4] { 1, 1, 1, 1 };
        mean.CopyTo(m);
        std.CopyTo(d);
        var push = new Rgba8ToNchwPush
        {
            Pixels = (uint)pixels, Plane = (uint)(height * width), Channels = (uint)channels,
            Mean0 = m[0], Mean1 = m[1], Mean2 = m[2], Mean3 = m[3], Std0 = d[0], Std1 = d[1], Std2 = d[2], Std3 = d[3],
        };
        var (gx, gy) = FlatGrid.Groups(pixels);
        r.Dispatch(op, [], [Access.Read(rgba), Access.Write(y)], push, gx, gy, 1);
    }
}
