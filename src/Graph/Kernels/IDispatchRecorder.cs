using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

public enum AccessKind { Read, Write, ReadWrite }

/// <summary>One binding of a dispatch: the slice it binds and whether the pass reads or writes it.</summary>
public readonly record struct Access(BufferSlice Slice, AccessKind Kind)
{
    public static Access Read(BufferSlice s) => new(s, AccessKind.Read);
    public static Access Write(BufferSlice s) => new(s, AccessKind.Write);
    public static Access ReadWrite(BufferSlice s) => new(s, AccessKind.ReadWrite);
    public bool Reads => Kind != AccessKind.Write;
    public bool Writes => Kind != AccessKind.Read;
}

/// <summary>
/// What kernel launchers record into. A launcher declares each dispatch's bindings and whether
/// it reads or writes them; the recorder turns that into binding sets, barriers and commands.
/// </summary>
public interface IDispatchRecorder
{
    Device Device { get; }

    /// <summary>Which kernel variant launchers should use (the device's, or one a test forces).</summary>
    KernelVariant Variant { get; }

    void Dispatch<TPush>(string kernel, ReadOnlySpan<SpecConstant> spec, ReadOnlySpan<Access> bindings,
                         in TPush push, uint gx, uint gy, uint gz) where TPush : unmanaged;
}
