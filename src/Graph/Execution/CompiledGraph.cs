using System.Runtime.InteropServices;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Tuning;
using VkResNet.Runtime;
using Buffer = VkResNet.Runtime.Buffer;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Execution;

/// <summary>How to compile a graph for a device.</summary>
public sealed record CompileOptions
{
    /// <summary>Write a timestamp after every pass for a per-pass profile (costs a little on some devices).</summary>
    public bool Profile { get; init; }
    /// <summary>A barrier before every pass and every step inside one, to hunt a race (the edge reads VKRESNET_FULL_BARRIERS=1 into it).</summary>
    public bool FullBarriers { get; init; }
    /// <summary>Force a kernel variant (tests); null: the device's.</summary>
    public KernelVariant? Variant { get; init; }
    /// <summary>Check every pass against the CPU reference on each Run (small graphs; the edge reads VKRESNET_CHECK=1 into it).</summary>
    public bool Check { get; init; }
    /// <summary>
    /// How the conv kernels are chosen: measured on the device and cached (<see cref="TuneMode.Full"/>, the CLI's default),
    /// cached choices only, or today's fixed rules (<see cref="TuningOptions.Off"/>, the default of this record: the edge
    /// reads VKRESNET_TUNE with <see cref="Edge.Switches"/>).
    /// </summary>
    public TuningOptions Tuning { get; init; } = TuningOptions.Off;
}

/// <summary>
/// A frame graph made real on a device: the plan's resources allocated, every pass recorded once
/// into one command buffer, inputs staged through a persistently mapped upload buffer and outputs
/// returned through a mapped readback buffer. <see cref="Run"/> replays it: no allocation, no
/// compile, no recording, one host wait.
/// </summary>
public sealed partial class CompiledGraph : IDisposable
{
    readonly Buffer[] _resources;
    readonly Buffer _upload;
    readonly Buffer _readback;
    readonly Dictionary<TensorId, long> _uploadOffset = [];
    readonly Dictionary<TensorId, long> _readbackOffset = [];
    readonly CommandList _commands;
    readonly CommandRecorder _recorder;
    readonly int[] _passTimestamp;

    public Device Device { get; }
    public FrameGraph Graph { get; }
    public GraphPlan Plan { get; }
    public int Dispatches => _recorder.Dispatches;
    /// <summary>
    /// Every barrier of the recorded step: the plan's <see cref="GraphPlan.BarrierCount"/> between passes, <see cref="StepBarriers"/>
    /// inside multi-dispatch passes and the plan's <see cref="GraphPlan.Edges"/> around the uploads and the readback.
    /// </summary>
    public int Barriers => _commands.BarrierCount;
    /// <summary>Barriers between the steps of multi-dispatch passes (the plan's step rule, applied as they were recorded).</summary>
    public int StepBarriers => _recorder.StepBarriersRecorded;
    /// <summary>What `vkresnet graph --device` and `vkresnet train` print: the recorded passes and the plan's barriers.</summary>
    public string RecordingSummary =>
        $"{Dispatches} dispatches, {Barriers} barriers ({Plan.BarrierCount} between passes, {StepBarriers} inside multi-dispatch passes, {Plan.Edges.Count} at the step's edges)";

    /// <summary>The step's own command list (tests compare what it holds with the plan).</summary>
    internal CommandList Commands => _commands;
    public bool Profiling { get; }
    /// <summary>The kernel variant the passes were recorded with (the fixed rules' family; tuned keys may use either).</summary>
    public KernelVariant Variant => _recorder.Variant;
    /// <summary>The conv candidate each pass records, and what the tuner measured (`vkresnet graph --kernels`).</summary>
    public KernelSelection Kernels { get; }

    /// <summary>One slice per plan resource (what a <see cref="CommandRecorder"/> bound to the plan needs to record the passes again, e.g. onto a kept list).</summary>
    public IReadOnlyList<BufferSlice> ResourceSlices => Plan.Resources.Select(r => _resources[r.Index].Slice(0, Math.Max(16, r.Bytes))).ToArray();

    /// <summary>The shared scratch buffer of passes that use one; null when none does.</summary>
    public BufferSlice? Scratch => Plan.ScratchResource >= 0 ? _resources[Plan.ScratchResource].All : null;

    CompiledGraph(Device device, FrameGraph graph, GraphPlan plan, CompileOptions options)
    {
        Device = device;
        Graph = graph;
        Profiling = options.Profile;
        // Tuning first, so its operands are freed before the graph's own memory is taken.
        var variant = options.Variant ?? device.Variant;
        Kernels = KernelTuner.Select(device, plan.Passes.SelectMany(p => graph.Ops[p.OpIndex].KernelKeys), variant, options.Tuning);
        Plan = plan = GraphCompiler.WithKernels(plan, graph, Kernels, options.FullBarriers); // the chosen kernels' scratch, then the barriers
        _checkEnabled = options.Check;
        if (_checkEnabled) RequireCheckable();
        _resources = plan.Resources.Select(r => device.CreateBuffer(Math.Max(16, r.Bytes), MemoryKind.DeviceLocal, $"graph.{r.Name}")).ToArray();

        long up = 0, down = 0;
        foreach (var t in plan.Tensors)
        {
            if (t.Kind is TensorKind.Input or TensorKind.Label) { _uploadOffset[t.Id] = up; up += t.Bytes + 15 & ~15L; }
            if (t.Kind is TensorKind.Output) { _readbackOffset[t.Id] = down; down += t.Bytes + 15 & ~15L; }
        }
        _upload = device.CreateBuffer(Math.Max(16, up), MemoryKind.Upload, "graph.upload");
        _readback = device.CreateBuffer(Math.Max(16, down), MemoryKind.Readback, "graph.readback");

        ZeroFill(device, _resources);
        _commands = device.CreateCommandList(options.Profile ? plan.Passes.Count + 1 : 0);
        _recorder = new CommandRecorder(device, _commands, variant, plan.FullBarriers);
        _recorder.UsePlan(plan, ResourceSlices, Kernels);
        _passTimestamp = new int[plan.Passes.Count];
        Record(options.Profile);
    }

    /// <summary>Every resource starts as zeros (momentum buffers, gradients): fresh device memory may hold anything.</summary>
    static void ZeroFill(Device device, Buffer[] buffers)
    {
        using var cl = device.CreateCommandList();
        cl.Begin();
        foreach (var b in buffers) cl.Fill(b.All, 0);
        cl.Edge(PlanEdge.TransfersIn);
        cl.End();
        cl.Submit();
        cl.Wait();
    }

    /// <summary>Plans (if needed), allocates and records a graph on a device.</summary>
    public static CompiledGraph Compile(Device device, FrameGraph graph, CompileOptions? options = null, GraphPlan? plan = null)
    {
        options ??= new CompileOptions();
        plan ??= GraphCompiler.Plan(graph, new PlanOptions(FullBarriers: options.FullBarriers));
        return new CompiledGraph(device, graph, plan, options);
    }

    void Record(bool profile)
    {
        var slices = ResourceSlices;
        _commands.Begin(reusable: true);
        RecordUploads(_commands, slices);
        if (profile) _commands.WriteTimestamp();
        RecordPasses(_recorder, profile ? i => _passTimestamp[i] = _commands.WriteTimestamp() : null);
        RecordReadbacks(_commands, slices);
        _commands.End();
    }

    /// <summary>
    /// Records every planned pass through <paramref name="recorder"/>, bound to this graph's plan and kernels (the one loop
    /// that every recording of the step uses: this graph's list, the segmented step's and the real-time kept lists).
    /// </summary>
    internal void RecordPasses(CommandRecorder recorder, Action<int>? afterPass = null)
    {
        for (int i = 0; i < Plan.Passes.Count; i++)
        {
            recorder.Pass(Graph.Ops[Plan.Passes[i].OpIndex], Plan.Passes[i]);
            afterPass?.Invoke(i);
        }
    }

    /// <summary>A recorder for this graph's passes onto another command list (e.g. a kept one), bound to the plan, with its barrier switch.</summary>
    internal CommandRecorder CreateRecorder(CommandList commands)
    {
        var recorder = new CommandRecorder(Device, commands, Variant, Plan.FullBarriers);
        recorder.UsePlan(Plan, ResourceSlices, Kernels);
        return recorder;
    }

    /// <summary>Host-written inputs (images, labels, learning rate) come in first, then the plan's edges before the passes.</summary>
    internal void RecordUploads(CommandList cl, IReadOnlyList<BufferSlice> slices)
    {
        foreach (var (id, offset) in _uploadOffset)
        {
            var p = Plan.Placement(id);
            cl.Copy(_upload.Slice(offset, p.Shape.Bytes), slices[p.Resource].Slice(p.Offset, p.Shape.Bytes));
        }
        foreach (var e in Plan.Edges.BeforePasses) cl.Edge(e);
    }

    /// <summary>Outputs (loss, correct count, logits) go back through the mapped readback buffer.</summary>
    /// <remarks>The plan's edges after the passes: one before these copies, one after them (none when the graph has no outputs).</remarks>
    internal void RecordReadbacks(CommandList cl, IReadOnlyList<BufferSlice> slices)
    {
        var edges = Plan.Edges.AfterPasses;
        if (edges.Count == 0) return;
        cl.Edge(edges[0]);
        RecordReadbackCopies(cl, slices);
        cl.Edge(edges[1]);
    }

    /// <summary>The readback copies alone, inside a list that places the same edges around its own copies (the segmented step's last segment).</summary>
    internal void RecordReadbackCopies(CommandList cl, IReadOnlyList<BufferSlice> slices)
    {
        foreach (var (id, offset) in _readbackOffset)
        {
            var p = Plan.Placement(id);
            cl.Copy(slices[p.Resource].Slice(p.Offset, p.Shape.Bytes), _readback.Slice(offset, p.Shape.Bytes));
        }
    }

    /// <summary>The mapped upload region of an Input tensor: write it before <see cref="Run"/>.</summary>
    public Span<float> Input(Tensor t) => MemoryMarshal.Cast<byte, float>(UploadBytes(t));

    /// <summary>The mapped upload region of a Label tensor (int32 class indices).</summary>
    public Span<int> Labels(Tensor t) => MemoryMarshal.Cast<byte, int>(UploadBytes(t));

    Span<byte> UploadBytes(Tensor t) => _uploadOffset.TryGetValue(t.Id, out long o)
        ? _upload.MappedBytes.Slice((int)o, (int)t.Bytes)
        : throw new ArgumentException($"'{t.Name}' is not a host-written input of this graph.");

    /// <summary>The mapped readback region of an Output tensor, valid after <see cref="Run"/> or <see cref="Wait"/>.</summary>
    public ReadOnlySpan<float> Output(Tensor t) => _readbackOffset.TryGetValue(t.Id, out long o)
        ? MemoryMarshal.Cast<byte, float>(_readback.MappedBytes.Slice((int)o, (int)t.Bytes))
        : throw new ArgumentException($"'{t.Name}' is not an output of this graph.");

    /// <summary>Replays the recorded step and waits for it.</summary>
    public void Run()
    {
        if (_checkEnabled) { RunChecked(); return; }
        _commands.Submit();
        _commands.Wait();
    }

    /// <summary>Starts the step without waiting (the host prepares the next batch meanwhile).</summary>
    public void Submit() => _commands.Submit();

    public void Wait() => _commands.Wait();

    public bool IsComplete => _commands.IsComplete;

    /// <summary>The device slice a tensor lives in (for the viewer and embedding apps; valid while this graph lives).</summary>
    public BufferSlice Slice(Tensor t)
    {
        var p = Plan.Placement(t.Id);
        return _resources[p.Resource].Slice(p.Offset, p.Bytes);
    }

    /// <summary>Writes a persistent tensor (parameters, running statistics, momentum) through the staging ring.</summary>
    public void Write(Tensor t, ReadOnlySpan<float> values)
    {
        if (values.Length != t.Shape.ElementCount)
            throw new ArgumentException($"'{t.Name}' has {t.Shape.ElementCount} elements {t.Shape}; {values.Length} were given.");
        if (t.IsTransient) throw new ArgumentException($"'{t.Name}' is transient; its memory is shared and rewritten every step.");
        Device.Upload(Slice(t).Slice(0, t.Bytes), values);
    }

    /// <summary>Reads any tensor back (transients hold the values of the last step only until aliased).</summary>
    public float[] Read(Tensor t)
    {
        var values = new float[t.Shape.ElementCount];
        Device.Download(Slice(t).Slice(0, t.Bytes), values.AsSpan());
        return values;
    }

    /// <summary>
    /// Copies every persistent tensor that <paramref name="destination"/> has under the same name and
    /// shape (parameters, running statistics), device to device: e.g. a training graph's weights
    /// into the evaluation graph before a test pass. Returns how many tensors were copied.
    /// </summary>
    public int CopyPersistentTo(CompiledGraph destination, params TensorKind[] kinds)
    {
        if (!ReferenceEquals(destination.Device, Device)) throw new ArgumentException("Both graphs must live on the same device.");
        kinds = kinds.Length > 0 ? kinds : [TensorKind.Parameter, TensorKind.RunningStat];
        using var cl = Device.CreateCommandList();
        cl.Begin();
        cl.Edge(PlanEdge.TransfersOut);
        int n = 0;
        foreach (var t in Graph.ReferencedTensors().Where(t => kinds.Contains(t.Kind)))
        {
            if (!destination.Graph.TryGetTensor(t.Name, out var d) || d.Shape != t.Shape || !destination.Plan.TryGetPlacement(d.Id, out _)) continue;
            cl.Copy(Slice(t).Slice(0, t.Bytes), destination.Slice(d).Slice(0, t.Bytes));
            n++;
        }
        cl.Edge(PlanEdge.TransfersIn);
        cl.End();
        cl.Submit();
        cl.Wait();
        return n;
    }

    /// <summary>Per-pass GPU milliseconds of the last run (profiling builds only).</summary>
    public IReadOnlyList<PassTime> ReadProfile()
    {
        if (!Profiling) throw new InvalidOperationException("Compile with CompileOptions.Profile = true for a per-pass profile.");
        var ms = _commands.ReadTimestampsMs();
        var result = new List<PassTime>(Plan.Passes.Count);
        for (int i = 0; i < Plan.Passes.Count; i++)
        {
            var pass = Plan.Passes[i];
            var op = Graph.Ops[pass.OpIndex];
            double start = i == 0 ? ms[0] : ms[_passTimestamp[i - 1]];
            var shape = op.Outputs.FirstOrDefault()?.Shape.ToString() ?? "";
            result.Add(new PassTime(pass.Name, pass.Type, shape, ms[_passTimestamp[i]] - start, op.Flops));
        }
        return result;
    }

    public void Dispose()
    {
        _checker?.Dispose();
        _commands.Dispose();
        _recorder.Dispose();
        _readback.Dispose();
        _upload.Dispose();
        foreach (var b in _resources) b.Dispose();
    }
}

/// <summary>One pass's share of a profiled step.</summary>
public sealed record PassTime(string Name, string Type, string Shape, double Milliseconds, long Flops)
{
    public double Gflops => Milliseconds > 0 ? Flops / (Milliseconds * 1e6) : 0;
}
