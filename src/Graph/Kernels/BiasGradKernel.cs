using System.Runtime.InteropServices;
using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>Mirror of BiasGradParams in src/Shaders/bias_grad.comp.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct BiasGradPush
{
    public int N, C, Inner;
    public uint Flags;
}

/// <summary>Mirror of SplitKParams in src/Shaders/splitk_reduce.comp.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct SplitKReducePush
{
    public int Count, Slices;
    public uint Flags;
}

/// <summary>db[c] = sum_{n,i} dy[n, c, i]: the bias gradient of conv (inner = OH*OW) and linear (inner = 1).</summary>
internal static class BiasGradKernel
{
    public static void Record(CommandRecorder r, int n, int c, int inner, BufferSlice dy, BufferSlice db, bool accumulate)
    {
        var push = new BiasGradPush { N = n, C = c, Inner = inner, Flags = accumulate ? 8u : 0u };
        r.Dispatch("bias_grad", [], [Access.Read(dy), Conv2dKernels.Output(db, accumulate)], push, (uint)c, 1, 1);
    }
}
