using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>Argument checks shared by the conv forms outside <see cref="Conv2dKernels"/> (one message per fault, shape included).</summary>
internal static class Conv2dFormArgs
{
    // The _cpu kernels split column indices with a float reciprocal (divmod in cpu_block.glsl), exact below 2^23.
    const long MaxColumns = 1 << 23;

    public static void Require(BufferSlice slice, long elements, string name, Conv2dShape s, string form)
    {
        if (slice.Size < elements * sizeof(float))
            throw new ArgumentException($"Conv2d {form} {s}: {name} holds {slice.Size} bytes, needs {elements * sizeof(float)}");
    }

    public static void RequireScratch(BufferSlice scratch, long bytes, Conv2dShape s, string form)
    {
        if (scratch.Size < bytes)
            throw new ArgumentException($"Conv2d {form} {s}: scratch holds {scratch.Size} bytes, needs {bytes} (ScratchBytes)");
    }

    public static void RequireColumns(long columns, Conv2dShape s, string form)
    {
        if (columns >= MaxColumns)
            throw new ArgumentException($"Conv2d {form} {s}: {columns} output columns exceed the kernels' {MaxColumns}; split the batch.");
    }

    public static void RequireIndices(long elements, Conv2dShape s, string form)
    {
        if (elements > int.MaxValue)
            throw new ArgumentException($"Conv2d {form} {s}: {elements} elements exceed the kernels' 32-bit indices; split the batch.");
    }

    /// <summary>A shuffle block (<see cref="CpuBlock.Shuffle"/>) only on a device that runs it.</summary>
    public static void RequireBlock(CpuBlock block, DeviceInfo d, Conv2dShape s, string form)
    {
        if (block.Shuffle) RequireShuffles(d, 8, s, form);
    }

    /// <summary>A form that shares values across a workgroup of <paramref name="invocations"/> by subgroup shuffles.</summary>
    public static void RequireShuffles(DeviceInfo d, uint invocations, Conv2dShape s, string form)
    {
        if (!d.ShufflesWithin(invocations))
            throw new ArgumentException($"Conv2d {form} {s}: needs subgroup shuffles in compute with subgroups of at least {invocations} ({d.Name}).");
    }

    public static long DivUp(long a, long b) => (a + b - 1) / b;
    public static long AlignedBytes(long elements) => (elements * sizeof(float) + 15) & ~15L;
}
