using VkResNet.Graph.Ops;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Kernels;
using VkResNet.Runtime;

namespace VkResNet.Graph.Execution;

/// <summary>
/// The recorder ops write to: resolves kernels, creates and owns their binding sets, and writes dispatches and barriers
/// into a command list (an <see cref="ICommandSink"/>: a <see cref="CommandList"/> now or a <see cref="CommandTape"/> to replay).
/// It decides no barrier of its own: the one before a pass is the plan's (<see cref="PlannedPass.BarrierBefore"/>), those
/// between the steps of a multi-dispatch pass follow the plan's step rule (<see cref="StepBarriers"/>) over the steps' declared
/// bindings, and a step that binds memory its pass did not declare is an error. Launchers called outside a pass (kernel tests,
/// the tuner's bench) are one pass under the step rule. Recording happens once per compiled graph; replaying touches none of this.
/// </summary>
public sealed class CommandRecorder : IDispatchRecorder, IDisposable
{
    readonly List<BindingSet> _sets = [];
    readonly StepBarriers _steps;
    readonly List<(BufferSlice Slice, bool Writes)> _declared = [];
    string? _pass;

    public Device Device { get; }
    public ICommandSink Commands { get; }
    public KernelVariant Variant { get; }
    public int Dispatches { get; private set; }
    /// <summary>Barriers recorded: the plan's before passes plus <see cref="StepBarriersRecorded"/>.</summary>
    public int Barriers { get; private set; }
    /// <summary>Barriers recorded between steps inside passes.</summary>
    public int StepBarriersRecorded { get; private set; }

    /// <param name="fullBarriers">the race-hunting switch: a barrier before every step (the plan's <see cref="GraphPlan.FullBarriers"/>)</param>
    public CommandRecorder(Device device, ICommandSink commands, KernelVariant? variant = null, bool fullBarriers = false)
    {
        Device = device;
        Commands = commands;
        Variant = variant ?? device.Variant;
        _steps = new StepBarriers(fullBarriers);
    }

    /// <summary>Records one planned pass: the plan's barrier before it, then the op's steps with the step rule's barriers between them.</summary>
    public void Pass(OpRecordContext ctx, Op op, PlannedPass pass)
    {
        _declared.Clear();
        foreach (var r in pass.Reads) _declared.Add((ctx.Slice(r), false));
        foreach (var w in pass.Writes) _declared.Add((ctx.Slice(w), true));
        if (pass.Scratch is { } s) _declared.Add((ctx.Slice(s), true));
        _pass = pass.Name;
        _steps.Reset();
        if (pass.BarrierBefore) Emit();
        try
        {
            op.Record(ctx);
        }
        finally
        {
            _pass = null;
            _declared.Clear();
        }
    }

    public void Dispatch<TPush>(string kernel, ReadOnlySpan<SpecConstant> spec, ReadOnlySpan<Access> bindings,
                                in TPush push, uint gx, uint gy, uint gz) where TPush : unmanaged
    {
        Kernel k = Device.GetKernel(kernel, spec.ToArray());
        var sliceArray = new BufferSlice[bindings.Length];
        var step = new (Runtime.Buffer, long, long, bool, bool)[bindings.Length];
        for (int i = 0; i < bindings.Length; i++)
        {
            var a = bindings[i];
            if (_pass != null) RequireDeclared(kernel, a);
            sliceArray[i] = a.Slice;
            step[i] = (a.Slice.Buffer, a.Slice.Offset, a.Slice.End, a.Reads, a.Writes);
        }
        var set = Device.CreateBindingSet(k, sliceArray);
        _sets.Add(set);
        if (_steps.Next(step))
        {
            Emit();
            StepBarriersRecorded++;
        }
        Commands.Dispatch(k, set, push, gx, gy, gz);
        Dispatches++;
    }

    void RequireDeclared(string kernel, Access a)
    {
        foreach (var (d, writes) in _declared)
            if (ReferenceEquals(d.Buffer, a.Slice.Buffer) && d.Offset <= a.Slice.Offset && a.Slice.End <= d.End && (writes || !a.Writes))
                return;
        throw new InvalidOperationException(
            $"Pass '{_pass}': kernel {kernel} {(a.Writes ? "writes" : "reads")} {a.Slice}, which the pass did not declare; its barriers are planned from its declared accesses.");
    }

    /// <summary>A compute barrier now, outside any plan (launcher tests between dependent launches); forgets earlier steps.</summary>
    public void Barrier()
    {
        Emit();
        _steps.Reset();
    }

    void Emit()
    {
        Commands.Barrier(BarrierKind.ComputeToCompute);
        Barriers++;
    }

    public void Dispose()
    {
        foreach (var s in _sets) s.Dispose();
        _sets.Clear();
    }
}
