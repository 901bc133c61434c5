using VkResNet.Graph.Kernels;

namespace VkResNet.Graph.Tests.Reference;

/// <summary>Double-precision option-A shortcut: F.pad(x[:, :, ::s, ::s], (0, 0, 0, 0, front, back)).</summary>
public static class CpuShortcut
{
    public static double[] ZeroPadForward(double[] x, ShortcutZeroPadShape s)
    {
        var i = s.Input;
        var y = new double[s.Output.Count];
        for (int n = 0; n < i.N; n++)
            for (int c = 0; c < i.C; c++)
                for (int oh = 0; oh < s.Ho; oh++)
                    for (int ow = 0; ow < s.Wo; ow++)
                        y[((n * s.Cout + c + s.PadFront) * s.Ho + oh) * s.Wo + ow] =
                            x[((n * i.C + c) * i.H + oh * s.Stride) * i.W + ow * s.Stride];
        return y;
    }

    public static double[] ZeroPadBackward(double[] dy, ShortcutZeroPadShape s)
    {
        var i = s.Input;
        var dx = new double[i.Count];
        for (int n = 0; n < i.N; n++)
            for (int c = 0; c < i.C; c++)
                for (int oh = 0; oh < s.Ho; oh++)
                    for (int ow = 0; ow < s.Wo; ow++)
                        dx[((n * i.C + c) * i.H + oh * s.Stride) * i.W + ow * s.Stride] =
                            dy[((n * s.Cout + c + s.PadFront) * s.Ho + oh) * s.Wo + ow];
        return dx;
    }
}
