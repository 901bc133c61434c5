using System.Runtime.CompilerServices;
using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>
/// A primary command buffer with its fence and (optionally) a timestamp query pool. Record once
/// with <c>Begin(reusable: true)</c> and replay with <see cref="Submit"/> + <see cref="Wait"/>:
/// neither allocates managed memory.
/// </summary>
public sealed unsafe class CommandList : ICommandSink, IDisposable
{
    readonly Device _device;
    readonly VkFence _fence;
    readonly VkQueryPool _queries;
    readonly int _queryCapacity;
    CommandEmitter _emit;
    int _queryCount;
    bool _recording, _submitted, _disposed;

    public VkCommandBuffer Handle { get; }
    public int TimestampCount => _queryCount;
    /// <summary>Dispatches recorded since the last Begin (for tests and profiles).</summary>
    public int DispatchCount { get; private set; }
    public int BarrierCount { get; private set; }

    internal CommandList(Device device, int timestampCapacity)
    {
        _device = device;
        var alloc = new VkCommandBufferAllocateInfo
        {
            SType = VkStructureType.CommandBufferAllocateInfo, CommandPool = device.CommandPool, Level = VkCommandBufferLevel.Primary, CommandBufferCount = 1,
        };
        VkCommandBuffer cb;
        Vk.Check(device.Api.AllocateCommandBuffers(device.Handle, &alloc, &cb), "vkAllocateCommandBuffers");
        Handle = cb;
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

    /// <summary>Starts recording. A reusable list can be submitted again after each wait; a one-shot list is re-recorded.</summary>
    public void Begin(bool reusable = false)
    {
        if (_submitted) Wait();
        Vk.Check(_device.Api.ResetCommandBuffer(Handle, 0), "vkResetCommandBuffer");
        var info = new VkCommandBufferBeginInfo
        {
            SType = VkStructureType.CommandBufferBeginInfo, Flags = reusable ? 0 : VkCommandBufferUsageFlags.OneTimeSubmitBit,
        };
        Vk.Check(_device.Api.BeginCommandBuffer(Handle, &info), "vkBeginCommandBuffer");
        _recording = true;
        _emit.Forget();
        _queryCount = 0;
        DispatchCount = 0;
        BarrierCount = 0;
        if (_queryCapacity > 0) _device.Api.CmdResetQueryPool(Handle, _queries, 0, (uint)_queryCapacity);
    }

    public void End()
    {
        RequireRecording();
        Vk.Check(_device.Api.EndCommandBuffer(Handle), "vkEndCommandBuffer");
        _recording = false;
    }

    public void Dispatch<TPush>(Kernel kernel, BindingSet set, in TPush push, uint gx, uint gy = 1, uint gz = 1) where TPush : unmanaged
    {
        uint size = (uint)Unsafe.SizeOf<TPush>();
        if (size != kernel.Interface.PushConstantBytes)
            throw new ArgumentException($"Kernel {kernel.Name} takes {kernel.Interface.PushConstantBytes} bytes of push constants; {typeof(TPush).Name} is {size}.");
        Check(kernel, set, gx, gy, gz);
        fixed (TPush* p = &push)
            _emit.Dispatch(kernel.Pipeline, kernel.Layout, set.Handle, (byte*)p, size, gx, gy, gz);
        DispatchCount++;
    }

    public void Dispatch(Kernel kernel, BindingSet set, uint gx, uint gy = 1, uint gz = 1)
    {
        if (kernel.Interface.PushConstantBytes != 0)
            throw new ArgumentException($"Kernel {kernel.Name} takes {kernel.Interface.PushConstantBytes} bytes of push constants; none were given.");
        Check(kernel, set, gx, gy, gz);
        _emit.Dispatch(kernel.Pipeline, kernel.Layout, set.Handle, null, 0, gx, gy, gz);
        DispatchCount++;
    }

    /// <summary>Dispatch with push constants given as raw bytes (used by recorders that hold them type-erased).</summary>
    public void Dispatch(Kernel kernel, BindingSet set, ReadOnlySpan<byte> push, uint gx, uint gy = 1, uint gz = 1)
    {
        if (push.Length != kernel.Interface.PushConstantBytes)
            throw new ArgumentException($"Kernel {kernel.Name} takes {kernel.Interface.PushConstantBytes} bytes of push constants; {push.Length} were given.");
        Check(kernel, set, gx, gy, gz);
        fixed (byte* p = push)
            _emit.Dispatch(kernel.Pipeline, kernel.Layout, set.Handle, p, (uint)push.Length, gx, gy, gz);
        DispatchCount++;
    }

    void Check(Kernel kernel, BindingSet set, uint gx, uint gy, uint gz)
    {
        RequireRecording();
        if (!ReferenceEquals(set.Kernel, kernel))
            throw new ArgumentException($"The binding set was made for kernel {set.Kernel.Name}, not {kernel.Name}.");
        var max = _device.Info.MaxWorkgroupCount;
        if (gx == 0 || gy == 0 || gz == 0 || gx > max[0] || gy > max[1] || gz > max[2])
            throw new ArgumentOutOfRangeException(nameof(gx), $"Kernel {kernel.Name}: dispatch ({gx}, {gy}, {gz}) is outside the device's 1..({max[0]}, {max[1]}, {max[2]}).");
    }

    public void ComputeBarrier() => Barrier(BarrierKind.ComputeToCompute);
    public void TransferToComputeBarrier() => Barrier(BarrierKind.TransferToCompute);
    public void ComputeToTransferBarrier() => Barrier(BarrierKind.ComputeToTransfer);
    public void TransferToHostBarrier() => Barrier(BarrierKind.TransferToHost);
    public void ComputeToHostBarrier() => Barrier(BarrierKind.ComputeToHost);
    public void FullBarrier() => Barrier(BarrierKind.Full);

    /// <summary>A barrier of one of the runtime's kinds (<see cref="BarrierMasks.Of"/>).</summary>
    public void Barrier(BarrierKind kind) => Barrier(BarrierMasks.Of(kind));

    /// <summary>A barrier with masks of the caller's own (image layouts and stages the kinds do not name, e.g. the viewer's).</summary>
    public void Barrier(VkPipelineStage src, VkPipelineStage dst, VkAccess srcAccess, VkAccess dstAccess) => Barrier(new BarrierMasks(src, dst, srcAccess, dstAccess));

    void Barrier(in BarrierMasks masks)
    {
        RequireRecording();
        _emit.Barrier(masks);
        BarrierCount++;
    }

    public void Copy(BufferSlice src, BufferSlice dst)
    {
        RequireRecording();
        if (src.Size > dst.Size) throw new ArgumentException($"Copy of {src} does not fit in {dst}.");
        _emit.Copy(src.Buffer.Handle, (ulong)src.Offset, dst.Buffer.Handle, (ulong)dst.Offset, (ulong)src.Size);
    }

    /// <summary>Fills a slice with a 32-bit pattern; offset and size must be multiples of 4.</summary>
    public void Fill(BufferSlice dst, uint value)
    {
        RequireRecording();
        if (dst.Offset % 4 != 0 || dst.Size % 4 != 0) throw new ArgumentException($"Fill needs 4-byte aligned offset and size; {dst} is not.");
        _emit.Fill(dst.Buffer.Handle, (ulong)dst.Offset, (ulong)dst.Size, value);
    }

    /// <summary>Replays commands [start, end) of a tape into this list (no allocation).</summary>
    public void Append(CommandTape tape, int start = 0, int end = -1)
    {
        RequireRecording();
        if (!ReferenceEquals(tape.Device, _device)) throw new ArgumentException("The tape was recorded for another device.");
        tape.Replay(Handle, start, end);
        _emit.Forget(); // the tape binds its own pipelines
        DispatchCount += tape.DispatchesIn(start, end < 0 ? tape.Count : end);
        BarrierCount += tape.BarriersIn(start, end < 0 ? tape.Count : end);
    }

    /// <summary>Writes a timestamp once all earlier commands completed; returns its index.</summary>
    public int WriteTimestamp()
    {
        RequireRecording();
        if (_queryCount >= _queryCapacity)
            throw new InvalidOperationException($"This command list holds {_queryCapacity} timestamps; create it with a larger capacity.");
        _device.Api.CmdWriteTimestamp(Handle, VkPipelineStage.BottomOfPipeBit, _queries, (uint)_queryCount);
        return _queryCount++;
    }

    /// <summary>Submits to the device's queue, signalling this list's fence.</summary>
    public void Submit()
    {
        if (_recording) throw new InvalidOperationException("End() the command list before submitting it.");
        if (_submitted) Wait();
        VkFence fence = _fence;
        Vk.Check(_device.Api.ResetFences(_device.Handle, 1, &fence), "vkResetFences");
        VkCommandBuffer cb = Handle;
        var submit = new VkSubmitInfo { SType = VkStructureType.SubmitInfo, CommandBufferCount = 1, PCommandBuffers = &cb };
        Vk.Check(_device.Api.QueueSubmit(_device.Queue, 1, &submit, _fence), "vkQueueSubmit");
        _submitted = true;
    }

    /// <summary>Submits, waiting on and signalling semaphores (binary: value 0; timeline: the value) — the embedding path.</summary>
    public void Submit(ReadOnlySpan<(VkSemaphore Semaphore, ulong Value)> wait, ReadOnlySpan<(VkSemaphore Semaphore, ulong Value)> signal)
    {
        if (_recording) throw new InvalidOperationException("End() the command list before submitting it.");
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
        VkCommandBuffer cb = Handle;
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

    void RequireRecording()
    {
        if (!_recording) throw new InvalidOperationException("The command list is not recording; call Begin() first.");
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_submitted)
        {
            VkFence f = _fence;
            _device.Api.WaitForFences(_device.Handle, 1, &f, 1, ulong.MaxValue);
        }
        if (!_queries.IsNull) _device.Api.DestroyQueryPool(_device.Handle, _queries, null);
        _device.Api.DestroyFence(_device.Handle, _fence, null);
        VkCommandBuffer cb = Handle;
        _device.Api.FreeCommandBuffers(_device.Handle, _device.CommandPool, 1, &cb);
    }
}
