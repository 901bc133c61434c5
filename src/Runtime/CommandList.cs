using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>
/// Compute commands recorded as data (dispatches with their pipeline, binding set, push bytes and group counts;
/// barriers; copies; fills), to be replayed, all or a range, into any command buffer of the device: another list
/// (<see cref="Append"/>) or an embedding app's VkCommandBuffer (<see cref="Replay"/>). A position between two
/// commands (<see cref="Count"/>) is a mark to replay ranges from. Replaying allocates nothing.
/// <para>
/// A list made by <see cref="Device.CreateCommandList"/> also owns a primary command buffer with its fence (and
/// optionally timestamp queries): between <see cref="Begin"/> and <see cref="End"/> each command is written into
/// it as it is kept (so raw vkCmd calls on <see cref="Handle"/> fall in order), and <see cref="Submit"/> +
/// <see cref="Wait"/> run it again and again without allocating managed memory. A list made with
/// <c>new CommandList(device)</c> only keeps its commands: it records at any time and is never submitted itself.
/// </para>
/// Neither owns the kernels and binding sets it names: they must outlive every replay (their recorder owns them).
/// Timestamps and raw vkCmd calls go into the own command buffer only; they are not kept.
/// </summary>
public sealed unsafe class CommandList : IDisposable
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
        public BarrierMasks Barrier;
        public VkBuffer Src, Dst;
        public ulong SrcOffset, DstOffset, Size;
    }

    readonly Device _device;
    readonly List<Entry> _entries = [];
    byte[] _push = new byte[256];   // push-constant bytes of every kept dispatch, grown by doubling while recording
    int _pushBytes;

    // The own command buffer (none for a list that only keeps its commands).
    readonly bool _owns;
    readonly VkCommandBuffer _handle;
    readonly VkFence _fence;
    readonly VkQueryPool _queries;
    readonly int _queryCapacity;
    CommandEmitter _emit;
    int _queryCount;
    bool _recording, _submitted, _disposed;

    /// <summary>A list that only keeps its commands, to be appended to other lists or replayed into an app's command buffer.</summary>
    public CommandList(Device device) => _device = device;

    internal CommandList(Device device, int timestampCapacity)
    {
        _device = device;
        _owns = true;
        var alloc = new VkCommandBufferAllocateInfo
        {
            SType = VkStructureType.CommandBufferAllocateInfo, CommandPool = device.CommandPool, Level = VkCommandBufferLevel.Primary, CommandBufferCount = 1,
        };
        VkCommandBuffer cb;
        Vk.Check(device.Api.AllocateCommandBuffers(device.Handle, &alloc, &cb), "vkAllocateCommandBuffers");
        _handle = cb;
        _emit = new CommandEmitter(device.Api, cb);
        var fenceInfo = new VkFenceCreateInfo { SType = VkStructureType.FenceCreateInfo };
        VkFence fence;
        Vk.Check(device.Api.CreateFence(device.Handle, &fenceInfo, null, &fence), "vkCreateFence");
        _fence = fence;
        if (timestampCapacity > 0)
        {
            if (!device.Info.TimestampsSupported)
                throw new NotSupportedException($"{device.Info.Name} does not support timestamps on its compute queue.");
            var qi = new VkQueryPoolCreateInfo { SType = VkStructureType.QueryPoolCreateInfo, QueryType = VkQueryType.Timestamp, QueryCount = (uint)timestampCapacity };
            VkQueryPool qp;
            Vk.Check(device.Api.CreateQueryPool(device.Handle, &qi, null, &qp), "vkCreateQueryPool");
            _queries = qp;
            _queryCapacity = timestampCapacity;
        }
    }

    public Device Device => _device;

    /// <summary>The own command buffer (raw vkCmd calls go here, in order with the recorded commands).</summary>
    public VkCommandBuffer Handle
    {
        get
        {
            if (!_owns) throw NoCommandBuffer();
            _emit.Forget(); // whoever writes into the handle may bind pipelines: bind again on the next dispatch
            return _handle;
        }
    }

    /// <summary>True for a list made by <see cref="Device.CreateCommandList"/>, which can be submitted.</summary>
    public bool HasCommandBuffer => _owns;

    /// <summary>Commands kept (since the last <see cref="Begin"/>); a position between two is a mark to replay ranges from.</summary>
    public int Count => _entries.Count;
    public int TimestampCount => _queryCount;
    /// <summary>Dispatches kept since the last Begin (for tests and profiles).</summary>
    public int DispatchCount { get; private set; }
    public int BarrierCount { get; private set; }

    /// <summary>Starts recording into the own command buffer, forgetting the commands kept before. A reusable list can be submitted again after each wait; a one-shot list is re-recorded.</summary>
    public void Begin(bool reusable = false)
    {
        if (!_owns) throw NoCommandBuffer();
        if (_submitted) Wait();
        Vk.Check(_device.Api.ResetCommandBuffer(_handle, 0), "vkResetCommandBuffer");
        var info = new VkCommandBufferBeginInfo
        {
            SType = VkStructureType.CommandBufferBeginInfo, Flags = reusable ? 0 : VkCommandBufferUsageFlags.OneTimeSubmitBit,
        };
        Vk.Check(_device.Api.BeginCommandBuffer(_handle, &info), "vkBeginCommandBuffer");
        _recording = true;
        _emit.Forget();
        _entries.Clear();
        _pushBytes = 0;
        _queryCount = 0;
        DispatchCount = 0;
        BarrierCount = 0;
        if (_queryCapacity > 0) _device.Api.CmdResetQueryPool(_handle, _queries, 0, (uint)_queryCapacity);
    }

    public void End()
    {
        RequireRecording();
        Vk.Check(_device.Api.EndCommandBuffer(_handle), "vkEndCommandBuffer");
        _recording = false;
    }

    // ---- recording ------------------------------------------------------------------------------

    public void Dispatch<TPush>(Kernel kernel, BindingSet set, in TPush push, uint gx, uint gy = 1, uint gz = 1) where TPush : unmanaged
    {
        int size = Unsafe.SizeOf<TPush>();
        if (size != kernel.Interface.PushConstantBytes)
            throw new ArgumentException($"Kernel {kernel.Name} takes {kernel.Interface.PushConstantBytes} bytes of push constants; {typeof(TPush).Name} is {size}.");
        Dispatch(kernel, set, MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in push), 1)), gx, gy, gz);
    }

    public void Dispatch(Kernel kernel, BindingSet set, uint gx, uint gy = 1, uint gz = 1) => Dispatch(kernel, set, ReadOnlySpan<byte>.Empty, gx, gy, gz);

    /// <summary>Dispatch with push constants given as raw bytes (used by recorders that hold them type-erased).</summary>
    public void Dispatch(Kernel kernel, BindingSet set, ReadOnlySpan<byte> push, uint gx, uint gy = 1, uint gz = 1)
    {
        RequireRecordable();
        if (!ReferenceEquals(set.Kernel, kernel))
            throw new ArgumentException($"The binding set was made for kernel {set.Kernel.Name}, not {kernel.Name}.");
        if (push.Length != kernel.Interface.PushConstantBytes)
            throw new ArgumentException($"Kernel {kernel.Name} takes {kernel.Interface.PushConstantBytes} bytes of push constants; {push.Length} were given.");
        var max = _device.Info.MaxWorkgroupCount;
        if (gx == 0 || gy == 0 || gz == 0 || gx > max[0] || gy > max[1] || gz > max[2])
            throw new ArgumentOutOfRangeException(nameof(gx), $"Kernel {kernel.Name}: dispatch ({gx}, {gy}, {gz}) is outside the device's 1..({max[0]}, {max[1]}, {max[2]}).");
        int offset = KeepPush(push);
        Add(new Entry
        {
            Kind = Kind.Dispatch, Pipeline = kernel.Pipeline, Layout = kernel.Layout, Set = set.Handle,
            PushOffset = offset, PushLength = push.Length, X = gx, Y = gy, Z = gz,
        });
    }

    /// <summary>Compute writes become visible to later compute reads and writes.</summary>
    public void ComputeBarrier() => Barrier(BarrierKind.ComputeToCompute);
    public void TransferToComputeBarrier() => Barrier(BarrierKind.TransferToCompute);
    public void ComputeToTransferBarrier() => Barrier(BarrierKind.ComputeToTransfer);
    public void TransferToHostBarrier() => Barrier(BarrierKind.TransferToHost);
    public void ComputeToHostBarrier() => Barrier(BarrierKind.ComputeToHost);
    /// <summary>Everything before (in submission order, earlier submissions included) finishes and is visible to everything after.</summary>
    public void FullBarrier() => Barrier(BarrierKind.Full);

    /// <summary>A barrier of one of the runtime's kinds (<see cref="BarrierMasks.Of"/>).</summary>
    public void Barrier(BarrierKind kind) => Barrier(BarrierMasks.Of(kind));

    /// <summary>A barrier with masks of the caller's own (image layouts and stages the kinds do not name, e.g. the viewer's).</summary>
    public void Barrier(VkPipelineStage src, VkPipelineStage dst, VkAccess srcAccess, VkAccess dstAccess) => Barrier(new BarrierMasks(src, dst, srcAccess, dstAccess));

    void Barrier(in BarrierMasks masks)
    {
        RequireRecordable();
        Add(new Entry { Kind = Kind.Barrier, Barrier = masks });
    }

    public void Copy(BufferSlice src, BufferSlice dst)
    {
        RequireRecordable();
        if (src.Size > dst.Size) throw new ArgumentException($"Copy of {src} does not fit in {dst}.");
        Add(new Entry
        {
            Kind = Kind.Copy, Src = src.Buffer.Handle, Dst = dst.Buffer.Handle, SrcOffset = (ulong)src.Offset, DstOffset = (ulong)dst.Offset, Size = (ulong)src.Size,
        });
    }

    /// <summary>Fills a slice with a 32-bit pattern; offset and size must be multiples of 4.</summary>
    public void Fill(BufferSlice dst, uint value)
    {
        RequireRecordable();
        if (dst.Offset % 4 != 0 || dst.Size % 4 != 0) throw new ArgumentException($"Fill needs 4-byte aligned offset and size; {dst} is not.");
        Add(new Entry { Kind = Kind.Fill, Dst = dst.Buffer.Handle, DstOffset = (ulong)dst.Offset, Size = (ulong)dst.Size, X = value });
    }

    /// <summary>Records commands [start, end) of <paramref name="other"/> into this list, as if recorded here (end -1: all of them).</summary>
    public void Append(CommandList other, int start = 0, int end = -1)
    {
        RequireRecordable();
        if (!ReferenceEquals(other._device, _device)) throw new ArgumentException("The command list was recorded for another device.");
        if (end < 0) end = other._entries.Count;
        other.RequireRange(start, end);
        for (int i = start; i < end; i++)
        {
            Entry e = other._entries[i];
            if (e.Kind == Kind.Dispatch) e.PushOffset = KeepPush(other._push.AsSpan(e.PushOffset, e.PushLength));
            Add(e);
        }
    }

    int KeepPush(ReadOnlySpan<byte> push)
    {
        if (_pushBytes + push.Length > _push.Length) Array.Resize(ref _push, Math.Max(_push.Length * 2, _pushBytes + push.Length));
        push.CopyTo(_push.AsSpan(_pushBytes));
        int offset = _pushBytes;
        _pushBytes += push.Length;
        return offset;
    }

    void Add(in Entry e)
    {
        _entries.Add(e);
        if (e.Kind == Kind.Dispatch) DispatchCount++;
        else if (e.Kind == Kind.Barrier) BarrierCount++;
        if (_owns)
            fixed (byte* push = _push)
                Emit(ref _emit, e, push);
    }

    static void Emit(ref CommandEmitter emit, in Entry e, byte* push)
    {
        switch (e.Kind)
        {
            case Kind.Dispatch: emit.Dispatch(e.Pipeline, e.Layout, e.Set, push + e.PushOffset, (uint)e.PushLength, e.X, e.Y, e.Z); break;
            case Kind.Barrier: emit.Barrier(e.Barrier); break;
            case Kind.Copy: emit.Copy(e.Src, e.SrcOffset, e.Dst, e.DstOffset, e.Size); break;
            case Kind.Fill: emit.Fill(e.Dst, e.DstOffset, e.Size, e.X); break;
        }
    }

    // ---- what is kept ---------------------------------------------------------------------------

    /// <summary>Dispatches in [start, end).</summary>
    public int DispatchesIn(int start, int end) => CountIn(start, end, Kind.Dispatch);

    /// <summary>Barriers in [start, end).</summary>
    public int BarriersIn(int start, int end) => CountIn(start, end, Kind.Barrier);

    /// <summary>The masks of command <paramref name="index"/> if it is a barrier; null for a dispatch, copy or fill.</summary>
    public BarrierMasks? BarrierAt(int index)
    {
        RequireRange(index, index + 1);
        var e = _entries[index];
        return e.Kind == Kind.Barrier ? e.Barrier : null;
    }

    int CountIn(int start, int end, Kind kind)
    {
        RequireRange(start, end);
        int n = 0;
        for (int i = start; i < end; i++) if (_entries[i].Kind == kind) n++;
        return n;
    }

    void RequireRange(int start, int end)
    {
        if (start < 0 || start > end || end > _entries.Count)
            throw new ArgumentOutOfRangeException(nameof(start), $"Range [{start}, {end}) is outside the command list's [0, {_entries.Count}).");
    }

    /// <summary>
    /// Records commands [start, end) (end -1: all) into <paramref name="commandBuffer"/>, which must be recording and
    /// belong to this list's device (an app's command buffer works as well as ours). Allocates nothing.
    /// </summary>
    public void Replay(VkCommandBuffer commandBuffer, int start = 0, int end = -1)
    {
        if (end < 0) end = _entries.Count;
        RequireRange(start, end);
        var emit = new CommandEmitter(_device.Api, commandBuffer);
        ReadOnlySpan<Entry> entries = CollectionsMarshal.AsSpan(_entries)[start..end];
        fixed (byte* push = _push)
            foreach (ref readonly Entry e in entries)
                Emit(ref emit, e, push);
    }

    // ---- the own command buffer -----------------------------------------------------------------

    /// <summary>Writes a timestamp once all earlier commands completed; returns its index.</summary>
    public int WriteTimestamp()
    {
        RequireRecording();
        if (_queryCount >= _queryCapacity)
            throw new InvalidOperationException($"This command list holds {_queryCapacity} timestamps; create it with a larger capacity.");
        _device.Api.CmdWriteTimestamp(_handle, VkPipelineStage.BottomOfPipeBit, _queries, (uint)_queryCount);
        return _queryCount++;
    }

    /// <summary>Submits to the device's queue, signalling this list's fence.</summary>
    public void Submit()
    {
        RequireSubmittable();
        if (_submitted) Wait();
        VkFence fence = _fence;
        Vk.Check(_device.Api.ResetFences(_device.Handle, 1, &fence), "vkResetFences");
        VkCommandBuffer cb = _handle;
        var submit = new VkSubmitInfo { SType = VkStructureType.SubmitInfo, CommandBufferCount = 1, PCommandBuffers = &cb };
        Vk.Check(_device.Api.QueueSubmit(_device.Queue, 1, &submit, _fence), "vkQueueSubmit");
        _submitted = true;
    }

    /// <summary>Submits, waiting on and signalling semaphores (binary: value 0; timeline: the value) — the embedding path.</summary>
    public void Submit(ReadOnlySpan<(VkSemaphore Semaphore, ulong Value)> wait, ReadOnlySpan<(VkSemaphore Semaphore, ulong Value)> signal)
    {
        RequireSubmittable();
        if (_submitted) Wait();
        VkFence fence = _fence;
        Vk.Check(_device.Api.ResetFences(_device.Handle, 1, &fence), "vkResetFences");
        var waitSems = stackalloc VkSemaphore[Math.Max(wait.Length, 1)];
        var waitVals = stackalloc ulong[Math.Max(wait.Length, 1)];
        var waitStages = stackalloc VkPipelineStage[Math.Max(wait.Length, 1)];
        var sigSems = stackalloc VkSemaphore[Math.Max(signal.Length, 1)];
        var sigVals = stackalloc ulong[Math.Max(signal.Length, 1)];
        for (int i = 0; i < wait.Length; i++) { waitSems[i] = wait[i].Semaphore; waitVals[i] = wait[i].Value; waitStages[i] = VkPipelineStage.AllCommandsBit; }
        for (int i = 0; i < signal.Length; i++) { sigSems[i] = signal[i].Semaphore; sigVals[i] = signal[i].Value; }
        var timeline = new VkTimelineSemaphoreSubmitInfo
        {
            SType = VkStructureType.TimelineSemaphoreSubmitInfo,
            WaitSemaphoreValueCount = (uint)wait.Length, PWaitSemaphoreValues = waitVals,
            SignalSemaphoreValueCount = (uint)signal.Length, PSignalSemaphoreValues = sigVals,
        };
        VkCommandBuffer cb = _handle;
        var submit = new VkSubmitInfo
        {
            SType = VkStructureType.SubmitInfo, PNext = _device.TimelineSemaphores ? &timeline : null,
            WaitSemaphoreCount = (uint)wait.Length, PWaitSemaphores = waitSems, PWaitDstStageMask = waitStages,
            CommandBufferCount = 1, PCommandBuffers = &cb,
            SignalSemaphoreCount = (uint)signal.Length, PSignalSemaphores = sigSems,
        };
        Vk.Check(_device.Api.QueueSubmit(_device.Queue, 1, &submit, _fence), "vkQueueSubmit");
        _submitted = true;
    }

    /// <summary>True once the last submission finished (never blocks).</summary>
    public bool IsComplete => !_submitted || _device.Api.GetFenceStatus(_device.Handle, _fence) == VkResult.Success;

    /// <summary>Waits for the last submission. A wait longer than the timeout (default: the device's) throws <see cref="DeviceTimeoutException"/>.</summary>
    public void Wait(TimeSpan? timeout = null)
    {
        if (!_submitted) return;
        TimeSpan t = timeout ?? _device.FenceTimeout;
        VkFence fence = _fence;
        ulong ns = (ulong)Math.Min(t.Ticks * 100.0, ulong.MaxValue / 2.0);
        VkResult r = Vk.CheckAllow(_device.Api.WaitForFences(_device.Handle, 1, &fence, 1, ns), "vkWaitForFences");
        if (r == VkResult.Timeout)
            throw new DeviceTimeoutException($"The GPU did not finish within {t.TotalSeconds:F1} s on {_device.Info.Name}; the device may be hung (VKRESNET_TIMEOUT_S sets the limit).");
        _submitted = false;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the last submission; false if it is still running (no throw).</summary>
    public bool TryWait(TimeSpan timeout)
    {
        if (!_submitted) return true;
        VkFence fence = _fence;
        ulong ns = (ulong)Math.Max(0, timeout.Ticks * 100L);
        if (Vk.CheckAllow(_device.Api.WaitForFences(_device.Handle, 1, &fence, 1, ns), "vkWaitForFences") == VkResult.Timeout)
            return false;
        _submitted = false;
        return true;
    }

    /// <summary>Reads the timestamps of the last completed submission, in milliseconds since the first.</summary>
    public void ReadTimestampsMs(Span<double> ms)
    {
        if (_queryCount == 0) return;
        Span<ulong> raw = stackalloc ulong[_queryCount];
        fixed (ulong* p = raw)
            Vk.Check(_device.Api.GetQueryPoolResults(_device.Handle, _queries, 0, (uint)_queryCount, (nuint)(raw.Length * 8), p, 8,
                VkQueryResultFlags.Result64Bit | VkQueryResultFlags.ResultWaitBit), "vkGetQueryPoolResults");
        ulong mask = _device.Info.TimestampValidBits >= 64 ? ulong.MaxValue : (1ul << (int)_device.Info.TimestampValidBits) - 1;
        double period = _device.Info.TimestampPeriodNs;
        for (int i = 0; i < Math.Min(ms.Length, _queryCount); i++)
            ms[i] = ((raw[i] - raw[0]) & mask) * period / 1e6;
    }

    public double[] ReadTimestampsMs()
    {
        var ms = new double[_queryCount];
        ReadTimestampsMs(ms);
        return ms;
    }

    /// <summary>A list with its own command buffer records only between Begin and End; a list that only keeps its commands, at any time.</summary>
    void RequireRecordable()
    {
        if (_owns) RequireRecording();
    }

    void RequireRecording()
    {
        if (!_owns) throw NoCommandBuffer();
        if (!_recording) throw new InvalidOperationException("The command list is not recording; call Begin() first.");
    }

    void RequireSubmittable()
    {
        if (!_owns) throw NoCommandBuffer();
        if (_recording) throw new InvalidOperationException("End() the command list before submitting it.");
    }

    static InvalidOperationException NoCommandBuffer() =>
        new("This command list only keeps its commands (new CommandList(device)); append it to a list from Device.CreateCommandList or replay it into a command buffer.");

    public void Dispose()
    {
        if (_disposed || !_owns) return;
        _disposed = true;
        if (_submitted)
        {
            VkFence f = _fence;
            _device.Api.WaitForFences(_device.Handle, 1, &f, 1, ulong.MaxValue);
        }
        if (!_queries.IsNull) _device.Api.DestroyQueryPool(_device.Handle, _queries, null);
        _device.Api.DestroyFence(_device.Handle, _fence, null);
        VkCommandBuffer cb = _handle;
        _device.Api.FreeCommandBuffers(_device.Handle, _device.CommandPool, 1, &cb);
    }
}
