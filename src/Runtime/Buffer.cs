using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>
/// A VkBuffer bound to a sub-allocation. Usable as storage buffer, texel buffer (views are made
/// by binding sets), and copy source and destination. Sizes are rounded up to 16 bytes so any
/// slice can be viewed as rgba32f texels.
/// </summary>
public sealed unsafe class Buffer : IDisposable
{
    readonly Device _device;
    readonly Allocation _allocation;
    readonly bool _external;
    bool _disposed;

    public VkBuffer Handle { get; }
    public long Size { get; }
    public MemoryKind Kind { get; }
    public string? Name { get; }
    public BufferSlice All => new(this, 0, Size);

    /// <summary>
    /// The VkBuffer's size for <paramref name="size"/> usable bytes: 16 more where the size is a power of two. Drivers that
    /// compile a pipeline per state of its bindings may key on that property of a buffer's size (llvmpipe: each bound image's
    /// resource width, texel buffers included), so without it a kernel bound once to a 32 KiB weight and once to a 36 KiB one
    /// compiled twice: one ResNet-18 tuning on a cold driver cache compiled the 64x8 forward block for 19 s and then for 52 s again.
    /// </summary>
    internal static long CreatedSize(long size) => long.IsPow2(size) ? size + 16 : size;

    internal Buffer(Device device, long bytes, MemoryKind kind, string? name)
    {
        if (bytes <= 0) throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "A buffer needs at least one byte.");
        _device = device;
        Size = (bytes + 15) & ~15L;
        long largestHeap = device.Memory.LargestHeapBytes;
        if (CreatedSize(Size) > largestHeap)
            throw new OutOfDeviceMemoryException(VkResult.ErrorOutOfDeviceMemory, "vkCreateBuffer",
                $"Out of device memory: buffer {name ?? "(unnamed)"} needs {Size / 1048576.0:F1} MiB but the largest memory heap of {device.Info.Name} holds {largestHeap / 1048576.0:F1} MiB. Use a smaller batch or model.");
        Kind = kind;
        Name = name;
        var info = new VkBufferCreateInfo
        {
            SType = VkStructureType.BufferCreateInfo,
            Size = (ulong)CreatedSize(Size),
            Usage = VkBufferUsage.StorageBufferBit | VkBufferUsage.UniformTexelBufferBit | VkBufferUsage.StorageTexelBufferBit
                  | VkBufferUsage.TransferSrcBit | VkBufferUsage.TransferDstBit,
            SharingMode = VkSharingMode.Exclusive,
        };
        VkBuffer handle;
        Vk.Check(device.Api.CreateBuffer(device.Handle, &info, null, &handle), "vkCreateBuffer");
        Handle = handle;
        try
        {
            VkMemoryRequirements req;
            device.Api.GetBufferMemoryRequirements(device.Handle, handle, &req);
            _allocation = device.Memory.Allocate(req, kind);
            Vk.Check(device.Api.BindBufferMemory(device.Handle, handle, _allocation.Block.Memory, (ulong)_allocation.Offset), "vkBindBufferMemory");
        }
        catch
        {
            device.Api.DestroyBuffer(device.Handle, handle, null);
            throw;
        }
    }

    /// <summary>
    /// Wraps a VkBuffer the embedding app owns (its memory bound by the app), so kernels can read or write
    /// it in place. VkResNet never destroys it; the app keeps it alive while any binding set names it.
    /// Kernels bind it as a storage buffer, so the app must have created it with STORAGE_BUFFER usage
    /// (and TRANSFER_SRC/DST for copies).
    /// </summary>
    public static Buffer FromExternal(Device device, VkBuffer handle, long size, string? name = null) => new(device, handle, size, name);

    Buffer(Device device, VkBuffer handle, long size, string? name)
    {
        if (handle.IsNull) throw new ArgumentException("The buffer handle is null.", nameof(handle));
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "A buffer needs at least one byte.");
        _device = device;
        _external = true;
        Handle = handle;
        Size = size;
        Kind = MemoryKind.DeviceLocal;
        Name = name ?? "external";
    }

    /// <summary>True for a buffer wrapped with <see cref="FromExternal"/> (not ours to free, not mapped by us).</summary>
    public bool IsExternal => _external;

    public bool IsMapped => !_external && _allocation.Block.Mapped != null;

    /// <summary>The persistently mapped bytes of a host-visible buffer.</summary>
    public Span<byte> MappedBytes => IsMapped
        ? new Span<byte>(_allocation.Block.Mapped + _allocation.Offset, checked((int)Size))
        : throw new InvalidOperationException($"Buffer {Name ?? "(unnamed)"} is {Kind} memory and not host-visible.");

    public Span<T> Mapped<T>() where T : unmanaged => MemoryMarshal.Cast<byte, T>(MappedBytes);

    public BufferSlice Slice(long offset, long size) => All.Slice(offset, size);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_external) return;
        _device.Api.DestroyBuffer(_device.Handle, Handle, null);
        _device.Memory.Free(_allocation);
    }
}

/// <summary>A non-owning view of a byte range of a buffer.</summary>
public readonly record struct BufferSlice(Buffer Buffer, long Offset, long Size)
{
    public BufferSlice Slice(long offset, long size)
    {
        if (offset < 0 || size < 0 || offset + size > Size)
            throw new ArgumentOutOfRangeException(nameof(offset), $"Slice [{offset}, {offset + size}) is outside [0, {Size}).");
        return new BufferSlice(Buffer, Offset + offset, size);
    }

    public long End => Offset + Size;

    public bool Overlaps(in BufferSlice other) => ReferenceEquals(Buffer, other.Buffer) && Offset < other.End && other.Offset < End;

    public static long SizeOf<T>(long count) where T : unmanaged => count * Unsafe.SizeOf<T>();

    public override string ToString() => $"{Buffer.Name ?? "buffer"}[{Offset}..{End})";
}
