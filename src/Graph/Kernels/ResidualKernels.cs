using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>Residual add (y = a + b) and gradient accumulation (y += x), elementwise, 4 floats per lane.</summary>
public static class ResidualKernels
{
    /// <summary>y = a + b over <paramref name="count"/> floats (residual_add.comp).</summary>
    public static void Add(CommandRecorder r, long count, BufferSlice a, BufferSlice b, BufferSlice y)
    {
        var push = new ElementwisePush { Count = FlatGrid.Count(count, "residual_add") };
        FlatGrid.RequireTexels(a, count, "residual_add", "a");
        FlatGrid.RequireTexels(b, count, "residual_add", "b");
        FlatGrid.RequireTexels(y, count, "residual_add", "y");
        var (gx, gy) = FlatGrid.GroupsFor4(count);
        r.Dispatch("residual_add", [], [Access.Read(a), Access.Read(b), Access.Write(y)], push, gx, gy, 1);
    }

    /// <summary>y += x over <paramref name="count"/> floats (accumulate.comp): sums the gradients of a tensor with two consumers.</summary>
    public static void Accumulate(CommandRecorder r, long count, BufferSlice x, BufferSlice y)
    {
        var push = new ElementwisePush { Count = FlatGrid.Count(count, "accumulate") };
        FlatGrid.RequireTexels(x, count, "accumulate", "x");
        FlatGrid.RequireTexels(y, count, "accumulate", "y");
        var (gx, gy) = FlatGrid.GroupsFor4(count);
        r.Dispatch("accumulate", [], [Access.Read(x), Access.ReadWrite(y)], push, gx, gy, 1);
    }
}
