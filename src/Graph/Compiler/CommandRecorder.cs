using VkResNet.Graph.Kernels;
using VkResNet.Runtime;

namespace VkResNet.Graph.Compiler;

/// <summary>
/// Records launcher dispatches into a <see cref="CommandList"/> (or a <see cref="CommandTape"/> to replay later): resolves kernels, creates and owns
/// their binding sets, and places a compute barrier only where the declared accesses require one
/// (<see cref="HazardTracker"/>). VKRESNET_FULL_BARRIERS=1 puts a barrier after every dispatch to hunt races.
/// Recording happens once per compiled graph; replaying the list touches none of this.
/// </summary>
public sealed class CommandRecorder : IDispatchRecorder, IDisposable
{
    readonly List<BindingSet> _sets = [];
    readonly HazardTracker _hazards = new();
    readonly bool _fullBarriers;

    public Device Device { get; }
    public ICommandSink Commands { get; }
    public KernelVariant Variant { get; }
    public int Dispatches { get; private set; }
    public int Barriers { get; private set; }

    /// <summary>Called before each dispatch with the kernel name (profilers hook timestamps here).</summary>
    public Action<string>? BeforeDispatch { get; set; }

    public CommandRecorder(Device device, ICommandSink commands, KernelVariant? variant = null, bool? fullBarriers = null)
    {
        Device = device;
        Commands = commands;
        Variant = variant ?? device.Variant;
        _fullBarriers = fullBarriers ?? Environment.GetEnvironmentVariable("VKRESNET_FULL_BARRIERS") == "1";
    }

    public void Dispatch<TPush>(string kernel, ReadOnlySpan<SpecConstant> spec, ReadOnlySpan<Access> bindings,
                                in TPush push, uint gx, uint gy, uint gz) where TPush : unmanaged
    {
        Kernel k = Device.GetKernel(kernel, spec.ToArray());
        var sliceArray = new BufferSlice[bindings.Length];
        for (int i = 0; i < bindings.Length; i++) sliceArray[i] = bindings[i].Slice;
        var set = Device.CreateBindingSet(k, sliceArray);
        _sets.Add(set);
        if (_fullBarriers || _hazards.NeedsBarrier(bindings)) Barrier();
        _hazards.Record(bindings);
        BeforeDispatch?.Invoke(kernel);
        Commands.Dispatch(k, set, push, gx, gy, gz);
        Dispatches++;
    }

    /// <summary>Declares a transfer (copy or fill) the caller records itself, so later passes see it ordered.</summary>
    public void BeforeTransfer(BufferSlice dst)
    {
        Barrier(full: true);
        _hazards.Record(dst.Buffer, dst.Offset, dst.End, writes: true, reads: false);
    }

    /// <summary>Places a barrier now (e.g. before a readback) and forgets earlier accesses.</summary>
    public void Barrier(bool full = false)
    {
        if (full) Commands.FullBarrier(); else Commands.ComputeBarrier();
        _hazards.Clear();
        Barriers++;
    }

    public void Dispose()
    {
        foreach (var s in _sets) s.Dispose();
        _sets.Clear();
    }
}
