using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>Where a buffer lives. Upload and Readback are host-visible and persistently mapped.</summary>
public enum MemoryKind { DeviceLocal, Upload, Readback }

/// <summary>Bytes reserved (VkDeviceMemory blocks) and used (live sub-allocations) per heap.</summary>
public sealed record MemoryReport(IReadOnlyList<HeapUsage> Heaps)
{
    public long ReservedBytes => Heaps.Sum(h => h.ReservedBytes);
    public long UsedBytes => Heaps.Sum(h => h.UsedBytes);
    public override string ToString() => string.Join("\n", Heaps.Select(h => h.ToString()));
}

public sealed record HeapUsage(int Heap, long HeapBytes, bool DeviceLocal, long ReservedBytes, long UsedBytes, int Blocks)
{
    public override string ToString() =>
        $"heap {Heap} ({(DeviceLocal ? "device-local" : "host")}, {HeapBytes / (1 << 20)} MiB): reserved {ReservedBytes / 1048576.0:F1} MiB in {Blocks} block(s), used {UsedBytes / 1048576.0:F1} MiB";
}

/// <summary>A sub-allocation: a range of one block.</summary>
internal readonly record struct Allocation(MemoryBlock Block, long Offset, long Size);

/// <summary>One VkDeviceMemory with a first-fit free list (sorted, coalescing).</summary>
internal sealed unsafe class MemoryBlock
{
    readonly List<(long Offset, long Size)> _free;
    public VkDeviceMemory Memory { get; }
    public long Size { get; }
    public uint TypeIndex { get; }
    public byte* Mapped { get; }
    public long Used { get; private set; }

    public MemoryBlock(VkDeviceMemory memory, long size, uint typeIndex, byte* mapped)
    {
        Memory = memory;
        Size = size;
        TypeIndex = typeIndex;
        Mapped = mapped;
        _free = [(0, size)];
    }

    public bool TryAllocate(long size, long alignment, out long offset)
    {
        for (int i = 0; i < _free.Count; i++)
        {
            var (start, length) = _free[i];
            long aligned = AlignUp(start, alignment);
            long end = aligned + size;
            if (end > start + length) continue;
            _free.RemoveAt(i);
            if (end < start + length) _free.Insert(i, (end, start + length - end));
            if (aligned > start) _free.Insert(i, (start, aligned - start));
            offset = aligned;
            Used += size;
            return true;
        }
        offset = -1;
        return false;
    }

    public void Free(long offset, long size)
    {
        Used -= size;
        int i = 0;
        while (i < _free.Count && _free[i].Offset < offset) i++;
        _free.Insert(i, (offset, size));
        // Coalesce with the neighbours.
        if (i + 1 < _free.Count && _free[i].Offset + _free[i].Size == _free[i + 1].Offset)
        {
            _free[i] = (_free[i].Offset, _free[i].Size + _free[i + 1].Size);
            _free.RemoveAt(i + 1);
        }
        if (i > 0 && _free[i - 1].Offset + _free[i - 1].Size == _free[i].Offset)
        {
            _free[i - 1] = (_free[i - 1].Offset, _free[i - 1].Size + _free[i].Size);
            _free.RemoveAt(i);
        }
    }

    public bool IsEmpty => Used == 0;

    internal static long AlignUp(long v, long a) => (v + a - 1) / a * a;
}

/// <summary>
/// Sub-allocates buffers from large VkDeviceMemory blocks, one list of blocks per memory type.
/// Requests larger than half a block get a block of their own. Host-visible blocks are mapped once.
/// </summary>
public sealed unsafe class MemoryPool : IDisposable
{
    readonly Device _device;
    readonly long _blockBytes;
    readonly List<MemoryBlock> _blocks = [];

    internal MemoryPool(Device device, long blockBytes)
    {
        _device = device;
        _blockBytes = blockBytes;
    }

    internal Allocation Allocate(VkMemoryRequirements req, MemoryKind kind)
    {
        uint type = ChooseType(req.MemoryTypeBits, kind);
        long size = (long)req.Size;
        long alignment = Math.Max((long)req.Alignment, 16);
        if (kind != MemoryKind.DeviceLocal)
            alignment = Math.Max(alignment, (long)_device.Info.NonCoherentAtomSize);
        foreach (var block in _blocks)
            if (block.TypeIndex == type && block.TryAllocate(size, alignment, out long offset))
                return new Allocation(block, offset, size);
        long blockSize = size > _blockBytes / 2 ? MemoryBlock.AlignUp(size, 1 << 16) : _blockBytes;
        var fresh = AllocateBlock(blockSize, type, kind);
        _blocks.Add(fresh);
        if (!fresh.TryAllocate(size, alignment, out long o)) throw new InvalidOperationException("A fresh memory block could not hold its first allocation.");
        return new Allocation(fresh, o, size);
    }

    internal void Free(Allocation a)
    {
        a.Block.Free(a.Offset, a.Size);
        // Give whole empty blocks back, except the first of each type (keeps churn low).
        if (a.Block.IsEmpty && _blocks.Count(b => b.TypeIndex == a.Block.TypeIndex) > 1)
        {
            _blocks.Remove(a.Block);
            ReleaseBlock(a.Block);
        }
    }

    MemoryBlock AllocateBlock(long size, uint type, MemoryKind kind)
    {
        var info = new VkMemoryAllocateInfo { SType = VkStructureType.MemoryAllocateInfo, AllocationSize = (ulong)size, MemoryTypeIndex = type };
        VkDeviceMemory memory;
        VkResult r = _device.Api.AllocateMemory(_device.Handle, &info, null, &memory);
        if (r is VkResult.ErrorOutOfDeviceMemory or VkResult.ErrorOutOfHostMemory)
            throw new OutOfDeviceMemoryException(r, "vkAllocateMemory",
                $"Out of device memory: could not allocate {size / 1048576.0:F1} MiB on {_device.Info.Name} ({Report().UsedBytes / 1048576.0:F1} MiB already in use). Use a smaller batch or model.");
        Vk.Check(r, "vkAllocateMemory");
        byte* mapped = null;
        if (kind != MemoryKind.DeviceLocal || (_device.MemoryProperties.MemoryTypes[(int)type].PropertyFlags & VkMemoryProperty.HostVisibleBit) != 0)
        {
            void* p;
            Vk.Check(_device.Api.MapMemory(_device.Handle, memory, 0, VkApi.WholeSize, 0, &p), "vkMapMemory");
            mapped = (byte*)p;
        }
        return new MemoryBlock(memory, size, type, mapped);
    }

    void ReleaseBlock(MemoryBlock b)
    {
        if (b.Mapped != null) _device.Api.UnmapMemory(_device.Handle, b.Memory);
        _device.Api.FreeMemory(_device.Handle, b.Memory, null);
    }

    /// <summary>The first memory type that has the required properties, preferring the wanted ones.</summary>
    uint ChooseType(uint typeBits, MemoryKind kind)
    {
        (VkMemoryProperty required, VkMemoryProperty preferred) = kind switch
        {
            MemoryKind.DeviceLocal => (VkMemoryProperty.DeviceLocalBit, VkMemoryProperty.DeviceLocalBit),
            MemoryKind.Upload => (VkMemoryProperty.HostVisibleBit | VkMemoryProperty.HostCoherentBit, VkMemoryProperty.HostVisibleBit | VkMemoryProperty.HostCoherentBit),
            _ => (VkMemoryProperty.HostVisibleBit | VkMemoryProperty.HostCoherentBit, VkMemoryProperty.HostVisibleBit | VkMemoryProperty.HostCoherentBit | VkMemoryProperty.HostCachedBit),
        };
        int fallback = -1;
        for (int i = 0; i < _device.MemoryProperties.MemoryTypeCount; i++)
        {
            if ((typeBits & (1u << i)) == 0) continue;
            var flags = _device.MemoryProperties.MemoryTypes[i].PropertyFlags;
            if ((flags & preferred) == preferred) return (uint)i;
            if ((flags & required) == required && fallback < 0) fallback = i;
        }
        if (fallback >= 0) return (uint)fallback;
        if (kind == MemoryKind.DeviceLocal)
            for (int i = 0; i < _device.MemoryProperties.MemoryTypeCount; i++)
                if ((typeBits & (1u << i)) != 0) return (uint)i;
        throw new VulkanUnavailableException($"{_device.Info.Name} has no memory type for {kind} buffers.");
    }

    internal long LargestHeapBytes
    {
        get
        {
            long max = 0;
            for (int h = 0; h < _device.MemoryProperties.MemoryHeapCount; h++)
                max = Math.Max(max, (long)_device.MemoryProperties.MemoryHeaps[h].Size);
            return max;
        }
    }

    public MemoryReport Report()
    {
        var props = _device.MemoryProperties;
        var heaps = new List<HeapUsage>();
        for (int h = 0; h < props.MemoryHeapCount; h++)
        {
            var blocks = _blocks.Where(b => props.MemoryTypes[(int)b.TypeIndex].HeapIndex == h).ToArray();
            var heap = props.MemoryHeaps[h];
            heaps.Add(new HeapUsage(h, (long)heap.Size, (heap.Flags & VkMemoryHeapFlags.DeviceLocalBit) != 0,
                blocks.Sum(b => b.Size), blocks.Sum(b => b.Used), blocks.Length));
        }
        return new MemoryReport(heaps);
    }

    public void Dispose()
    {
        foreach (var b in _blocks) ReleaseBlock(b);
        _blocks.Clear();
    }
}
