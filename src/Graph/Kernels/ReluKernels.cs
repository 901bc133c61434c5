using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>ReLU forward and backward (relu_forward.comp, relu_backward.comp), elementwise, 4 floats per lane.</summary>
public static class ReluKernels
{
    /// <summary>y = max(x, 0) over <paramref name="count"/> floats.</summary>
    public static void Forward(CommandRecorder r, long count, BufferSlice x, BufferSlice y)
    {
        var push = new ElementwisePush { Count = FlatGrid.Count(count, "relu_forward") };
        FlatGrid.RequireTexels(x, count, "relu_forward", "x");
        FlatGrid.RequireTexels(y, count, "relu_forward", "y");
        var (gx, gy) = FlatGrid.GroupsFor4(count);
        r.Dispatch("relu_forward", [], [Access.Read(x), Access.Write(y)], push, gx, gy, 1);
    }

    /// <summary>dx = dy where the forward OUTPUT y &gt; 0, else 0 (so the graph keeps y, not x).</summary>
    public static void Backward(CommandRecorder r, long count, BufferSlice dy, BufferSlice y, BufferSlice dx)
    {
        var push = new ElementwisePush { Count = FlatGrid.Count(count, "relu_backward") };
        FlatGrid.RequireTexels(dy, count, "relu_backward", "dy");
        FlatGrid.RequireTexels(y, count, "relu_backward", "y");
        FlatGrid.RequireTexels(dx, count, "relu_backward", "dx");
        var (gx, gy) = FlatGrid.GroupsFor4(count);
        r.Dispatch("relu_backward", [], [Access.Read(dy), Access.Read(y), Access.Write(dx)], push, gx, gy, 1);
    }
}
