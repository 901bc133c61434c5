using System.Runtime.InteropServices;
using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>Push constants of shortcut_zeropad_forward/backward.comp (include/shortcut_shape.glsl).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ShortcutZeroPadPush
{
    public uint Batch;
    public uint Cin;
    public uint H;
    public uint W;
    public uint Cout;
    public uint Ho;
    public uint Wo;
    public uint Stride;
    public uint PadFront;
}

/// <summary>
/// Option-A shortcut shape: x[:, :, ::Stride, ::Stride] with PadFront zero channels before and
/// Cout - Cin - PadFront after (PyTorch CIFAR ResNet: PadFront = (Cout - Cin) / 2, i.e. planes / 4 each side).
/// </summary>
public readonly record struct ShortcutZeroPadShape(NchwShape Input, int Cout, int Stride, int PadFront)
{
    public ShortcutZeroPadShape(NchwShape input, int cout, int stride = 2) : this(input, cout, stride, (cout - input.C) / 2) { }

    public int Ho => (Input.H + Stride - 1) / Stride;
    public int Wo => (Input.W + Stride - 1) / Stride;
    public NchwShape Output => new(Input.N, Cout, Ho, Wo);

    public void Validate()
    {
        Input.Validate();
        if (Stride <= 0 || PadFront < 0 || Cout < Input.C + PadFront)
            throw new ArgumentException($"zero-pad shortcut: invalid Cout {Cout}, stride {Stride}, pad front {PadFront} for input {Input}.");
    }

    public override string ToString() => $"{Input} s{Stride} front{PadFront} -> {Output}";
}

/// <summary>The paper's parameter-free option-A shortcut (subsample + zero channels) and its backward.</summary>
public static class ShortcutKernels
{
    public static void ZeroPadForward(CommandRecorder r, ShortcutZeroPadShape s, BufferSlice x, BufferSlice y)
    {
        const string op = "shortcut_zeropad_forward";
        var push = Push(s, op);
        FlatGrid.Require(x, s.Input.Count, op, "x");
        FlatGrid.Require(y, s.Output.Count, op, "y");
        var (gx, gy) = FlatGrid.GroupsFor4(s.Output.Count);
        r.Dispatch(op, [], [Access.Read(x), Access.Write(y)], push, gx, gy, 1);
    }

    /// <summary>dx = dy at the sampled pixels of the real channels, 0 elsewhere.</summary>
    public static void ZeroPadBackward(CommandRecorder r, ShortcutZeroPadShape s, BufferSlice dy, BufferSlice dx)
    {
        const string op = "shortcut_zeropad_backward";
        var push = Push(s, op);
        FlatGrid.Require(dy, s.Output.Count, op, "dy");
        FlatGrid.Require(dx, s.Input.Count, op, "dx");
        var (gx, gy) = FlatGrid.GroupsFor4(s.Input.Count);
        r.Dispatch(op, [], [Access.Read(dy), Access.Write(dx)], push, gx, gy, 1);
    }

    private static ShortcutZeroPadPush Push(ShortcutZeroPadShape s, string op)
    {
        s.Validate();
        FlatGrid.Count(Math.Max(s.Input.Count, s.Output.Count), op);
        return new ShortcutZeroPadPush
        {
            Batch = (uint)s.Input.N, Cin = (uint)s.Input.C, H = (uint)s.Input.H, W = (uint)s.Input.W,
            Cout = (uint)s.Cout, Ho = (uint)s.Ho, Wo = (uint)s.Wo, Stride = (uint)s.Stride, PadFront = (uint)s.PadFront,
        };
    }
}
