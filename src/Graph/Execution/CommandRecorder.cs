using System.Runtime.CompilerServices;
using VkResNet.Graph.Ops;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Kernels;
using VkResNet.Runtime;

namespace VkResNet.Graph.Execution;

/// <summary>
/// What a launcher declared for one dispatch, shown to a <see cref="CommandRecorder.Observer"/> before it is recorded:
/// the kernel, its bindings with their accesses, the push-constant bytes and the group counts.
/// </summary>
public delegate void DispatchObserver(string kernel, ReadOnlySpan<Access> bindings, int pushBytes, uint gx, uint gy, uint gz);

/// <summary>
/// The recorder ops and kernel launchers write to: resolves kernels, creates and owns their binding sets, and writes
/// dispatches and barriers into a <see cref="CommandList"/> (one with its own command buffer, or one that only keeps
/// its commands to be replayed). Bound to a plan (<see cref="UsePlan"/>) it also resolves each tensor's buffer slice,
/// the scratch and the conv candidates for an op's <see cref="Op.Record"/> hook.
/// It decides no barrier of its own: the one before a pass is the plan's (<see cref="PlannedPass.BarrierBefore"/>), those
/// between the steps of a multi-dispatch pass follow the plan's step rule (<see cref="StepBarriers"/>) over the steps' declared
/// bindings, and a step that binds memory its pass did not declare is an error. Launchers called outside a pass (kernel tests,
/// the tuner's bench) are one pass under the step rule. Recording happens once per compiled graph; replaying touches none of this.
/// </summary>
public sealed class CommandRecorder : IDisposable
{
    readonly Device? _device;
    readonly List<BindingSet> _sets = [];
    readonly StepBarriers _steps;
    readonly List<(BufferSlice Slice, bool Writes)> _declared = [];
    string? _pass;
    GraphPlan? _plan;
    IReadOnlyList<BufferSlice> _resources = [];

    /// <param name="fullBarriers">the race-hunting switch: a barrier before every step (the plan's <see cref="GraphPlan.FullBarriers"/>)</param>
    public CommandRecorder(Device device, CommandList commands, KernelVariant? variant = null, bool fullBarriers = false)
    {
        _device = device;
        Commands = commands;
        Variant = variant ?? device.Variant;
        _steps = new StepBarriers(fullBarriers);
    }

    CommandRecorder(Device? device, KernelVariant variant, DispatchObserver observer)
    {
        _device = device;
        Variant = variant;
        Observer = observer;
        _steps = new StepBarriers(false);
    }

    /// <summary>
    /// The one seam of recording: a recorder that records nothing and shows each dispatch to <paramref name="observer"/>
    /// (tests of the launchers against their shaders' interfaces, with slices that are never dereferenced). With no
    /// <paramref name="device"/>, a launcher that asks for one fails.
    /// </summary>
    public static CommandRecorder Observing(Device? device, KernelVariant variant, DispatchObserver observer) => new(device, variant, observer);

    public Device Device => _device ?? throw new InvalidOperationException("This recorder only observes: it has no device.");
    /// <summary>The kind of device the commands are for; null for a recorder that only observes, with no device (its launchers skip what depends on one).</summary>
    public DeviceKind? DeviceKind => _device?.Info.Kind;
    /// <summary>Where the commands go; null for a recorder that only observes.</summary>
    public CommandList? Commands { get; }
    /// <summary>Which kernel variant launchers should use (the device's, or one a test forces).</summary>
    public KernelVariant Variant { get; }
    /// <summary>Sees each dispatch as the launcher declared it, before it is recorded (the barrier-authority test).</summary>
    public DispatchObserver? Observer { get; init; }
    public int Dispatches { get; private set; }
    /// <summary>Barriers recorded: the plan's before passes plus <see cref="StepBarriersRecorded"/>.</summary>
    public int Barriers { get; private set; }
    /// <summary>Barriers recorded between steps inside passes.</summary>
    public int StepBarriersRecorded { get; private set; }

    // ---- the plan an op's Record hook reads ----------------------------------------------------------

    /// <summary>
    /// Binds the plan whose passes this recorder records: resources[i] backs plan.Resources[i] and is at least that many
    /// bytes; <paramref name="kernels"/> are the graph's kernel choices (null: the fixed rules, within the scratch);
    /// <paramref name="scratch"/> is the plan's scratch resource unless given.
    /// </summary>
    public void UsePlan(GraphPlan plan, IReadOnlyList<BufferSlice> resources, KernelSelection? kernels = null, BufferSlice? scratch = null)
    {
        if (resources.Count != plan.Resources.Count)
            throw new ArgumentException($"The plan has {plan.Resources.Count} resources, {resources.Count} were given.");
        for (int i = 0; i < resources.Count; i++)
            if (resources[i].Size < plan.Resources[i].Bytes)
                throw new ArgumentException($"Resource {plan.Resources[i].Name} needs {plan.Resources[i].Bytes} bytes, got {resources[i].Size}.");
        _plan = plan;
        _resources = resources;
        Kernels = kernels;
        Scratch = scratch ?? (plan.ScratchResource >= 0 ? resources[plan.ScratchResource] : null);
    }

    public GraphPlan Plan => _plan ?? throw new InvalidOperationException("The recorder has no plan: call UsePlan first.");

    /// <summary>
    /// Shared scratch for passes whose kernels use one (<see cref="Op.ScratchBytes"/>): the plan's scratch resource
    /// (<see cref="GraphPlan.ScratchResource"/>) unless given; null when no pass uses it.
    /// </summary>
    public BufferSlice? Scratch { get; private set; }

    /// <summary>The graph's kernel choices; null: the fixed rules, within the scratch given.</summary>
    public KernelSelection? Kernels { get; private set; }

    /// <summary>The candidate a conv pass records for its key.</summary>
    public ConvCandidate Choose(ConvKey key) => Kernels?.Choose(key) ?? ConvCandidates.Rules(key, Variant, null, Scratch?.Size ?? 0);

    /// <summary>A tensor's device bytes (16-byte aligned offset, size rounded up to 16), resolved from the plan.</summary>
    public BufferSlice Slice(Tensor t) => Slice(t.Id);

    public BufferSlice Slice(TensorId id)
    {
        var p = Plan.Placement(id);
        return _resources[p.Resource].Slice(p.Offset, p.Bytes);
    }

    /// <summary>The device bytes of a planned range.</summary>
    public BufferSlice Slice(ByteRange r)
    {
        _ = Plan;
        return _resources[r.Resource].Slice(r.Offset, r.Size);
    }

    // ---- recording --------------------------------------------------------------------------------

    /// <summary>Records one planned pass: the plan's barrier before it, then the op's steps with the step rule's barriers between them.</summary>
    public void Pass(Op op, PlannedPass pass)
    {
        _declared.Clear();
        foreach (var r in pass.Reads) _declared.Add((Slice(r), false));
        foreach (var w in pass.Writes) _declared.Add((Slice(w), true));
        if (pass.Scratch is { } s) _declared.Add((Slice(s), true));
        _pass = pass.Name;
        _steps.Reset();
        if (pass.BarrierBefore) Emit();
        try
        {
            op.Record(this);
        }
        finally
        {
            _pass = null;
            _declared.Clear();
        }
    }

    /// <summary>One dispatch as a launcher declares it: the kernel (with its specialization), each binding's access, the push constants and the grid.</summary>
    public void Dispatch<TPush>(string kernel, ReadOnlySpan<SpecConstant> spec, ReadOnlySpan<Access> bindings,
                                in TPush push, uint gx, uint gy, uint gz) where TPush : unmanaged
    {
        if (_pass != null)
            foreach (var a in bindings) RequireDeclared(kernel, a);
        Observer?.Invoke(kernel, bindings, Unsafe.SizeOf<TPush>(), gx, gy, gz);
        if (Commands is null) return;
        Kernel k = Device.GetKernel(kernel, spec.ToArray());
        var sliceArray = new BufferSlice[bindings.Length];
        var step = new (Runtime.Buffer, long, long, bool, bool)[bindings.Length];
        for (int i = 0; i < bindings.Length; i++)
        {
            var a = bindings[i];
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
        Commands?.Barrier(BarrierKind.ComputeToCompute);
        Barriers++;
    }

    public void Dispose()
    {
        foreach (var s in _sets) s.Dispose();
        _sets.Clear();
    }
}
