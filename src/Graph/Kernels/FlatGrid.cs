using System.Runtime.InteropServices;
using VkResNet.Graph.Execution;
using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>Push constants of the elementwise kernels (relu, residual_add, accumulate): <c>uint count</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ElementwisePush
{
    public uint Count;
}

/// <summary>
/// Helpers shared by the non-conv launchers: 1-D work spread over a 2-D grid (gx &lt;= 65535, the
/// portable limit) that ops_grid.glsl flattens back, and argument checks that fail with the op's name.
/// </summary>
public static class FlatGrid
{
    public const int MaxGroupsX = 65535;
    public const int WorkgroupSize = 64; // local_size_x of every 1-D op kernel

    /// <summary>Groups for <paramref name="invocations"/> one-dimensional invocations of 64 lanes.</summary>
    public static (uint X, uint Y) Groups(long invocations)
    {
        long groups = Math.Max(1, (invocations + WorkgroupSize - 1) / WorkgroupSize);
        if (groups <= MaxGroupsX)
            return ((uint)groups, 1);
        long y = (groups + MaxGroupsX - 1) / MaxGroupsX;
        if (y > MaxGroupsX)
            throw new ArgumentException($"{invocations} invocations exceed a {MaxGroupsX}x{MaxGroupsX} grid.");
        return (MaxGroupsX, (uint)y);
    }

    /// <summary>Groups for an elementwise kernel that handles 4 floats (one rgba32f texel) per invocation.</summary>
    public static (uint X, uint Y) GroupsFor4(long count) => Groups((count + 3) / 4);

    /// <summary>Throws unless <paramref name="slice"/> holds at least <paramref name="elements"/> 4-byte values.</summary>
    public static void Require(BufferSlice slice, long elements, string op, string name)
    {
        if (slice.Size < elements * 4)
            throw new ArgumentException($"{op}: {name} holds {slice.Size} bytes, needs {elements * 4} ({elements} x 4 bytes).");
    }

    /// <summary>
    /// For tensors read as rgba32f texels or written as vec4s (4 floats each): the binding must cover
    /// the last partial texel, so the slice needs count * 4 bytes rounded up to 16 (the allocator's padding).
    /// </summary>
    public static void RequireTexels(BufferSlice slice, long elements, string op, string name)
    {
        long bytes = (elements * 4 + 15) / 16 * 16;
        if (slice.Size < bytes)
            throw new ArgumentException($"{op}: {name} holds {slice.Size} bytes; it is read as rgba32f texels and needs {bytes} ({elements} floats padded to 16 bytes).");
    }

    /// <summary>
    /// Launches an elementwise kernel over <paramref name="count"/> floats, 4 (one texel) per invocation, with an
    /// <see cref="ElementwisePush"/>: every binding must hold the count as texels (<see cref="RequireTexels"/>, named in the error).
    /// </summary>
    public static void Elementwise(CommandRecorder r, string kernel, long count, params (string Name, Access Access)[] bindings)
    {
        var push = new ElementwisePush { Count = Count(count, kernel) };
        foreach (var (name, access) in bindings) RequireTexels(access.Slice, count, kernel, name);
        var (gx, gy) = GroupsFor4(count);
        r.Dispatch(kernel, [], bindings.Select(b => b.Access).ToArray(), push, gx, gy, 1);
    }

    /// <summary>Throws unless the count fits the shaders' 32-bit indices.</summary>
    public static uint Count(long count, string op)
    {
        if (count <= 0 || count > int.MaxValue)
            throw new ArgumentException($"{op}: element count {count} must be in 1..{int.MaxValue}.");
        return (uint)count;
    }
}
