using System.Runtime.InteropServices;
using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>
/// Compute commands kept as data (pipeline, descriptor set, push bytes, group counts; barriers; copies)
/// so that one recording can be replayed into any command buffer of the device: our own lists, per-slice
/// lists, or an embedding app's VkCommandBuffer. Replaying allocates nothing. The tape owns no Vulkan
/// object: the kernels and binding sets it names must outlive every replay (their recorder owns them).
/// </summary>
public sealed unsafe class CommandTape : ICommandSink
{
    enum Kind : byte { Dispatch, Barrier, Copy, Fill }

    struct Entry
    {
        public Kind Kind;
        public VkPipeline Pipeline;
        public VkPipelineLayout Layout;
        public VkDescriptorSet Set;
        public int PushOffset, PushLength;
        public uint X, Y, Z;
        public BarrierKind Barrier;
        public VkBuffer Src, Dst;
        public ulong SrcOffset, DstOffset, Size;
    }

    readonly List<Entry> _entries = [];
    byte[] _push = new byte[256];   // push-constant bytes of every dispatch, grown by doubling while recording
    int _pushBytes;
    readonly Device _device;

    public CommandTape(Device device) => _device = device;

    public Device Device => _device;
    /// <summary>Commands on the tape; a position between two commands is a mark to replay ranges from.</summary>
    public int Count => _entries.Count;
    public int DispatchCount { get; private set; }

    public void Dispatch(Kernel kernel, BindingSet set, ReadOnlySpan<byte> push, uint gx, uint gy = 1, uint gz = 1)
    {
        if (!ReferenceEquals(set.Kernel, kernel))
            throw new ArgumentException($"The binding set was made for kernel {set.Kernel.Name}, not {kernel.Name}.");
        if (push.Length != kernel.Interface.PushConstantBytes)
            throw new ArgumentException($"Kernel {kernel.Name} takes {kernel.Interface.PushConstantBytes} bytes of push constants; {push.Length} were given.");
        var max = _device.Info.MaxWorkgroupCount;
        if (gx == 0 || gy == 0 || gz == 0 || gx > max[0] || gy > max[1] || gz > max[2])
            throw new ArgumentOutOfRangeException(nameof(gx), $"Kernel {kernel.Name}: dispatch ({gx}, {gy}, {gz}) is outside the device's 1..({max[0]}, {max[1]}, {max[2]}).");
        _entries.Add(new Entry
        {
            Kind = Kind.Dispatch, Pipeline = kernel.Pipeline, Layout = kernel.Layout, Set = set.Handle,
            PushOffset = _pushBytes, PushLength = push.Length, X = gx, Y = gy, Z = gz,
        });
        if (_pushBytes + push.Length > _push.Length) Array.Resize(ref _push, Math.Max(_push.Length * 2, _pushBytes + push.Length));
        push.CopyTo(_push.AsSpan(_pushBytes));
        _pushBytes += push.Length;
        DispatchCount++;
    }

    public void Barrier(BarrierKind kind) => _entries.Add(new Entry { Kind = Kind.Barrier, Barrier = kind });
    public void ComputeBarrier() => Barrier(BarrierKind.ComputeToCompute);
    public void FullBarrier() => Barrier(BarrierKind.Full);

    public void Copy(BufferSlice src, BufferSlice dst)
    {
        if (src.Size > dst.Size) throw new ArgumentException($"Copy of {src} does not fit in {dst}.");
        _entries.Add(new Entry
        {
            Kind = Kind.Copy, Src = src.Buffer.Handle, Dst = dst.Buffer.Handle, SrcOffset = (ulong)src.Offset, DstOffset = (ulong)dst.Offset, Size = (ulong)src.Size,
        });
    }

    public void Fill(BufferSlice dst, uint value)
    {
        if (dst.Offset % 4 != 0 || dst.Size % 4 != 0) throw new ArgumentException($"Fill needs 4-byte aligned offset and size; {dst} is not.");
        _entries.Add(new Entry { Kind = Kind.Fill, Dst = dst.Buffer.Handle, DstOffset = (ulong)dst.Offset, Size = (ulong)dst.Size, X = value });
    }

    /// <summary>Dispatches in [start, end).</summary>
    public int DispatchesIn(int start, int end) => CountIn(start, end, Kind.Dispatch);

    /// <summary>Barriers in [start, end).</summary>
    public int BarriersIn(int start, int end) => CountIn(start, end, Kind.Barrier);

    int CountIn(int start, int end, Kind kind)
    {
        int n = 0;
        for (int i = start; i < end; i++) if (_entries[i].Kind == kind) n++;
        return n;
    }

    /// <summary>
    /// Records commands [start, end) into <paramref name="commandBuffer"/>, which must be recording and belong to
    /// this tape's device (an app's command buffer works as well as ours). Allocates nothing.
    /// </summary>
    public void Replay(VkCommandBuffer commandBuffer, int start = 0, int end = -1)
    {
        if (end < 0) end = _entries.Count;
        if (start < 0 || start > end || end > _entries.Count)
            throw new ArgumentOutOfRangeException(nameof(start), $"Range [{start}, {end}) is outside the tape's [0, {_entries.Count}).");
        var emit = new CommandEmitter(_device.Api, commandBuffer);
        ReadOnlySpan<Entry> entries = CollectionsMarshal.AsSpan(_entries)[start..end];
        fixed (byte* push = _push)
        {
            foreach (ref readonly Entry e in entries)
            {
                switch (e.Kind)
                {
                    case Kind.Dispatch: emit.Dispatch(e.Pipeline, e.Layout, e.Set, push + e.PushOffset, (uint)e.PushLength, e.X, e.Y, e.Z); break;
                    case Kind.Barrier: emit.Barrier(BarrierMasks.Of(e.Barrier)); break;
                    case Kind.Copy: emit.Copy(e.Src, e.SrcOffset, e.Dst, e.DstOffset, e.Size); break;
                    case Kind.Fill: emit.Fill(e.Dst, e.DstOffset, e.Size, e.X); break;
                }
            }
        }
    }
}
