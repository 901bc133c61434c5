using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

public enum AccessKind { Read, Write, ReadWrite }

/// <summary>
/// One binding of a dispatch: the slice it binds and whether the pass reads or writes it. Launchers declare these to
/// <see cref="Execution.CommandRecorder.Dispatch"/>, which turns them into binding sets, barriers and commands.
/// </summary>
public readonly record struct Access(BufferSlice Slice, AccessKind Kind)
{
    public static Access Read(BufferSlice s) => new(s, AccessKind.Read);
    public static Access Write(BufferSlice s) => new(s, AccessKind.Write);
    public static Access ReadWrite(BufferSlice s) => new(s, AccessKind.ReadWrite);
    public bool Reads => Kind != AccessKind.Write;
    public bool Writes => Kind != AccessKind.Read;
}
