using System.Runtime.InteropServices;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Data;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Training;
using VkResNet.Runtime;
using VkResNet.Runtime.Native;
using Buffer = VkResNet.Runtime.Buffer;

namespace VkResNet.Graph.Embedding;

/// <summary>
/// Inference embedded in a real-time app's frame, on the app's device and queue or on one of its own.
/// Everything is made at creation (the warm-up): the graph's passes are recorded once into a kept command list, command
/// lists are recorded per ring slot (and per frame slice), per-pass times are measured. Afterwards
/// <see cref="Submit(ReadOnlySpan{float})"/> returns at once with a ticket on a timeline semaphore (fences
/// where timelines are off), <see cref="Record(VkCommandBuffer, ReadOnlySpan{float})"/> replays the kept commands into
/// the app's own command buffer, and results come from a persistently mapped ring of
/// <see cref="Slots"/> slots: no managed allocation, no pipeline compile, no device-wide wait.
/// Not thread-safe: call it from the thread that submits to the queue.
/// </summary>
public sealed class RealtimeInference : IDisposable
{
    // Stages and accesses of the barriers around the graph (kept commands replay them into any command buffer).
    const VkPipelineStage ComputeOrTransfer = VkPipelineStage.ComputeShaderBit | VkPipelineStage.TransferBit;

    sealed class Slot(int index) : IDisposable
    {
        public readonly int Index = index;
        public ulong Value;                 // ticket value of the latest inference in this slot; 0: never used
        public bool FullySubmitted = true;  // false while a sliced inference still has slices to submit
        public bool Recorded;               // the latest inference went into an app's command buffer
        public bool AppCompleted;           // fence fallback: the app said its command buffer finished
        public CommandList? Last;           // the list whose fence ends the latest inference (fence fallback)
        public BufferSlice Upload, Readback;
        public CommandList UploadKept = null!, OutputKept = null!;
        public CommandList UploadList = null!, OneShot = null!;
        public CommandList[] SourceLists = [];
        public CommandList[] SliceLists = [];

        public void Dispose()
        {
            UploadList?.Dispose();
            OneShot?.Dispose();
            foreach (var l in SourceLists) l.Dispose();
            foreach (var l in SliceLists) l.Dispose();
        }
    }

    readonly CompiledGraph _graph;
    readonly Tensor _input, _output;
    readonly CommandList _passes, _fullBarrier;
    readonly CommandRecorder _recorder;
    readonly List<CommandRecorder> _sourceRecorders = [];
    readonly int[] _passStart;
    readonly Buffer _upload, _readback;
    readonly TimelineSemaphore? _timeline;
    readonly Slot[] _slots;
    readonly List<CommandList> _sourceKept = [];
    readonly List<Buffer> _externalBuffers = [];   // app buffers we wrapped
    readonly List<ImageView> _imageViews = [];     // views of app images (the images stay the app's)
    readonly List<BindingSet> _imageSets = [];     // the image pre-passes' binding sets
    readonly Normalization _normalization;
    readonly long _inputBytes, _outputBytes;
    (int Start, int End)[] _slices = [];
    double[] _passMs = [];
    ulong _lastValue;
    int _nextSlot;
    int _slicingSlot = -1, _nextSlice;
    CommandList? _pendingInputList;   // the input step of the sliced inference, run with its first slice
    CommandList? _pendingInputKept;
    bool _disposed;

    public Device Device => _graph.Device;
    public CompiledGraph Graph => _graph;
    public int Slots => _slots.Length;
    /// <summary>Floats in one input (the model's NCHW batch).</summary>
    public int InputLength => checked((int)_input.Shape.ElementCount);
    /// <summary>Floats in one result (logits [batch, classes]).</summary>
    public int OutputLength => checked((int)_output.Shape.ElementCount);
    public int PassCount => _passStart.Length - 1;
    /// <summary>Pass ranges [Start, End) of the frame slices (empty when slicing was not asked for).</summary>
    public IReadOnlyList<(int Start, int End)> Slices => _slices;
    /// <summary>Median GPU milliseconds per pass measured at warm-up (empty where the device has no timestamps).</summary>
    public IReadOnlyList<double> PassMilliseconds => _passMs;
    public bool UsesTimeline => _timeline != null;
    /// <summary>The timeline semaphore every ticket signals (null handle under the fence fallback).</summary>
    public VkSemaphore Semaphore => _timeline?.Handle ?? default;
    /// <summary>The output tensor in device memory: a GPU buffer the app may bind; rewritten by the next inference.</summary>
    public BufferSlice OutputTensor => _graph.Slice(_output).Slice(0, _outputBytes);
    /// <summary>The input tensor in device memory (what the pre-pass or the upload copy writes).</summary>
    public BufferSlice InputTensor => _graph.Slice(_input).Slice(0, _inputBytes);
    /// <summary>True while a sliced inference still has slices to submit.</summary>
    public bool IsSlicing => _slicingSlot >= 0;
    public int RemainingSlices => IsSlicing ? _slices.Length - _nextSlice : 0;

    RealtimeInference(CompiledGraph graph, Tensor input, Tensor output, RealtimeOptions options)
    {
        if (options.Slots < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Slots, "At least one ring slot.");
        if (input.Kind != TensorKind.Input) throw new ArgumentException($"'{input.Name}' is not an input of the graph.", nameof(input));
        if (options.Slicing?.MillisecondsPerSlice != null && (!graph.Device.Info.TimestampsSupported || options.ProfileRuns <= 0))
            throw new NotSupportedException($"A millisecond budget needs per-pass times: {graph.Device.Info.Name} has no timestamps or ProfileRuns is 0; use SliceBudget.Passes.");
        _graph = graph;
        _input = input;
        _output = output;
        var device = graph.Device;
        _normalization = options.Normalization ?? Normalization.None(input.Shape.C);
        _inputBytes = input.Bytes;
        _outputBytes = output.Bytes;

        // Record: every pass once into a kept list, marking where each pass starts.
        _passes = new CommandList(device);
        _recorder = graph.CreateRecorder(_passes);
        _passStart = new int[graph.Plan.Passes.Count + 1];
        graph.RecordPasses(_recorder, i => _passStart[i + 1] = _passes.Count);
        _fullBarrier = new CommandList(device);
        _fullBarrier.Edge(PlanEdge.Submission); // passes after an input step or another slice, submitted or replayed on their own

        // Rings: one upload and one readback slot per inference in flight.
        long inStride = (_inputBytes + 255) & ~255L, outStride = (_outputBytes + 255) & ~255L;
        _upload = device.CreateBuffer(inStride * options.Slots, MemoryKind.Upload, "realtime.upload");
        _readback = device.CreateBuffer(outStride * options.Slots, MemoryKind.Readback, "realtime.readback");
        _timeline = device.TimelineSemaphores ? new TimelineSemaphore(device) : null;
        _slots = new Slot[options.Slots];
        for (int k = 0; k < _slots.Length; k++)
        {
            var s = _slots[k] = new Slot(k) { Upload = _upload.Slice(k * inStride, _inputBytes), Readback = _readback.Slice(k * outStride, _outputBytes) };
            s.UploadKept = new CommandList(device);
            s.UploadKept.Edge(PlanEdge.Overwrite); // the previous inference may still read the input tensor
            s.UploadKept.Copy(s.Upload, InputTensor);
            s.OutputKept = new CommandList(device);
            s.OutputKept.Edge(PlanEdge.TransfersOut);
            s.OutputKept.Copy(OutputTensor, s.Readback);
            s.OutputKept.Edge(PlanEdge.HostReads);
            s.UploadList = RecordList(s.UploadKept);
            s.OneShot = RecordBody(s, 0, PassCount, last: true);
        }

        MeasurePasses(options.ProfileRuns);
        if (options.Slicing != null)
        {
            _slices = options.Slicing.Plan(PassCount, _passMs);
            foreach (var s in _slots)
                s.SliceLists = _slices.Select((r, j) => RecordBody(s, r.Start, r.End, last: j == _slices.Length - 1)).ToArray();
        }
    }

    /// <summary>
    /// Sets up real-time inference on a compiled inference graph (weights already written); this is the
    /// warm-up: it records, measures and runs every path once. The graph must outlive this object.
    /// </summary>
    public static RealtimeInference Create(CompiledGraph graph, Tensor input, Tensor output, RealtimeOptions? options = null)
    {
        var r = new RealtimeInference(graph, input, output, options ?? new RealtimeOptions());
        try
        {
            r.WarmUp();
            return r;
        }
        catch
        {
            r.Dispose();
            throw;
        }
    }

    /// <summary>The same on a loaded model, normalising RGBA8 input with the model's statistics unless the options say otherwise.</summary>
    public static RealtimeInference Create(InferenceModel model, RealtimeOptions? options = null)
    {
        options ??= new RealtimeOptions();
        return Create(model.Graph, model.Model.Input, model.Model.Logits, options with { Normalization = options.Normalization ?? model.Normalization });
    }

    CommandList RecordList(CommandList kept)
    {
        var cl = Device.CreateCommandList();
        cl.Begin(reusable: true);
        cl.Append(kept);
        cl.End();
        return cl;
    }

    /// <summary>Passes [from, to) as one list; it opens with a full barrier (a slice boundary is conservative), and the last one reads back.</summary>
    CommandList RecordBody(Slot s, int from, int to, bool last)
    {
        var cl = Device.CreateCommandList();
        cl.Begin(reusable: true);
        cl.Edge(PlanEdge.Submission);
        cl.Append(_passes, _passStart[from], _passStart[to]);
        if (last) cl.Append(s.OutputKept);
        cl.End();
        return cl;
    }

    void MeasurePasses(int runs)
    {
        if (!Device.Info.TimestampsSupported || runs <= 0) return;
        using var cl = Device.CreateCommandList(PassCount + 1);
        cl.Begin(reusable: true);
        cl.Edge(PlanEdge.Submission);
        cl.WriteTimestamp();
        for (int i = 0; i < PassCount; i++)
        {
            cl.Append(_passes, _passStart[i], _passStart[i + 1]);
            cl.WriteTimestamp();
        }
        cl.End();
        var samples = new double[PassCount][];
        for (int i = 0; i < PassCount; i++) samples[i] = new double[runs];
        var ms = new double[PassCount + 1];
        for (int r = 0; r < runs; r++)
        {
            cl.Submit();
            cl.Wait();
            cl.ReadTimestampsMs(ms);
            for (int i = 0; i < PassCount; i++) samples[i][r] = ms[i + 1] - ms[i];
        }
        _passMs = samples.Select(s => s.Order().ElementAt(runs / 2)).ToArray();
    }

    /// <summary>Runs every prepared path once per slot (so the steady state touches nothing new), then waits.</summary>
    public void WarmUp()
    {
        RequireIdleSlicing();
        var zeros = new float[InputLength];
        for (int k = 0; k < _slots.Length; k++) Submit(zeros).Wait();
        if (_slices.Length > 0)
            for (int k = 0; k < _slots.Length; k++)
            {
                var t = BeginSliced(zeros);
                while (!SubmitNextSlice()) { }
                t.Wait();
            }
        for (int k = 0; k < _sourceKept.Count; k++)
            for (int j = 0; j < _slots.Length; j++) Submit(new Rgba8Source(k)).Wait();
        _ = _slots[0].Readback.Buffer.MappedBytes;
    }

    // ---- one-shot submission -------------------------------------------------------------------

    /// <summary>
    /// Writes an NCHW input into the upload ring and submits the inference; returns at once. With a
    /// <paramref name="wait"/> semaphore (binary, or timeline with <paramref name="waitValue"/>) the GPU starts after it.
    /// </summary>
    public InferenceTicket Submit(ReadOnlySpan<float> input, VkSemaphore wait = default, ulong waitValue = 0)
    {
        var s = Acquire();
        WriteUpload(s, input);
        SubmitInput(s.UploadList, wait, waitValue);
        return Finish(s, s.OneShot);
    }

    static void SubmitInput(CommandList list, VkSemaphore wait, ulong waitValue)
    {
        if (wait.IsNull) list.Submit();
        else list.Submit([(wait, waitValue)], []);
    }

    /// <summary>
    /// Submits an inference that reads a registered RGBA8 buffer through the pre-pass; with a
    /// <paramref name="wait"/> semaphore (e.g. the app's render finished writing the pixels) it starts after it.
    /// </summary>
    public InferenceTicket Submit(Rgba8Source source, VkSemaphore wait = default, ulong waitValue = 0)
    {
        var s = Acquire();
        SubmitInput(SourceList(s, source), wait, waitValue);
        return Finish(s, s.OneShot);
    }

    InferenceTicket Finish(Slot s, CommandList last)
    {
        Submit(last, s.Value);
        s.Last = last;
        s.FullySubmitted = true;
        return new InferenceTicket(this, s.Index, s.Value);
    }

    void Submit(CommandList list, ulong signal)
    {
        if (_timeline != null) list.Submit([], [(_timeline.Handle, signal)]);
        else list.Submit();
    }

    // ---- recording into the app's command buffer ------------------------------------------------

    /// <summary>
    /// Records the whole inference (input copy from the upload ring, every pass, readback into the ring) into
    /// the app's command buffer, which must be recording, belong to this device and go to this queue family.
    /// The app must signal (<see cref="InferenceTicket.Semaphore"/>, <see cref="InferenceTicket.Value"/>) in the
    /// submission that carries it; under the fence fallback it calls <see cref="NotifyCompleted"/> after its own fence instead.
    /// </summary>
    public InferenceTicket Record(VkCommandBuffer commandBuffer, ReadOnlySpan<float> input)
    {
        var s = Acquire();
        WriteUpload(s, input);
        return RecordInto(commandBuffer, s, s.UploadKept);
    }

    /// <summary>The same, reading a registered RGBA8 buffer through the pre-pass.</summary>
    public InferenceTicket Record(VkCommandBuffer commandBuffer, Rgba8Source source)
    {
        var s = Acquire();
        return RecordInto(commandBuffer, s, SourceKept(source));
    }

    InferenceTicket RecordInto(VkCommandBuffer cb, Slot s, CommandList input)
    {
        if (cb.IsNull) throw new ArgumentException("The command buffer handle is null.", nameof(cb));
        input.Replay(cb);
        _fullBarrier.Replay(cb);
        _passes.Replay(cb);
        s.OutputKept.Replay(cb);
        s.Recorded = true;
        s.AppCompleted = false;
        s.Last = null;
        s.FullySubmitted = true;
        return new InferenceTicket(this, s.Index, s.Value);
    }

    /// <summary>Fence fallback only: the app's submission that carried a recorded inference has finished.</summary>
    public void NotifyCompleted(in InferenceTicket ticket)
    {
        var s = SlotOf(ticket);
        if (s.Value == ticket.Value && s.Recorded) s.AppCompleted = true;
    }

    // ---- frame slicing ----------------------------------------------------------------------------

    /// <summary>
    /// Starts a sliced inference: writes the input into the upload ring and touches no queue; each
    /// <see cref="SubmitNextSlice"/> (or <see cref="RecordNextSlice"/>) then runs one slice, the first one with the input copy.
    /// </summary>
    public InferenceTicket BeginSliced(ReadOnlySpan<float> input)
    {
        var s = BeginSlicing();
        WriteUpload(s, input);
        _pendingInputList = s.UploadList;
        _pendingInputKept = s.UploadKept;
        return new InferenceTicket(this, s.Index, s.Value);
    }

    /// <summary>Starts a sliced inference from a registered RGBA8 buffer (its pre-pass runs with the first slice).</summary>
    public InferenceTicket BeginSliced(Rgba8Source source)
    {
        var s = BeginSlicing();
        _pendingInputList = SourceList(s, source);
        _pendingInputKept = SourceKept(source);
        return new InferenceTicket(this, s.Index, s.Value);
    }

    Slot BeginSlicing()
    {
        if (_slices.Length == 0) throw new InvalidOperationException("Slicing was not prepared: set RealtimeOptions.Slicing.");
        var s = Acquire();
        s.FullySubmitted = false;
        _slicingSlot = s.Index;
        _nextSlice = 0;
        return s;
    }

    /// <summary>Submits the next slice of the current sliced inference (call once per frame); true when that was the last one.</summary>
    public bool SubmitNextSlice()
    {
        if (_slicingSlot < 0) throw new InvalidOperationException("No sliced inference is running; call BeginSliced first.");
        var s = _slots[_slicingSlot];
        if (_nextSlice == 0) _pendingInputList!.Submit();
        var list = s.SliceLists[_nextSlice++];
        if (_nextSlice < _slices.Length)
        {
            list.Submit();
            return false;
        }
        Finish(s, list);
        _slicingSlot = -1;
        return true;
    }

    /// <summary>Records the next slice into the app's command buffer (the last one reads back; the app signals the ticket as with Record).</summary>
    public bool RecordNextSlice(VkCommandBuffer commandBuffer)
    {
        if (_slicingSlot < 0) throw new InvalidOperationException("No sliced inference is running; call BeginSliced first.");
        var s = _slots[_slicingSlot];
        if (_nextSlice == 0) _pendingInputKept!.Replay(commandBuffer);
        var (from, to) = _slices[_nextSlice++];
        _fullBarrier.Replay(commandBuffer);
        _passes.Replay(commandBuffer, _passStart[from], _passStart[to]);
        if (_nextSlice < _slices.Length) return false;
        s.OutputKept.Replay(commandBuffer);
        s.Recorded = true;
        s.AppCompleted = false;
        s.Last = null;
        s.FullySubmitted = true;
        _slicingSlot = -1;
        return true;
    }

    // ---- GPU input ---------------------------------------------------------------------------------

    /// <summary>
    /// Registers a GPU buffer of RGBA8 pixels (batch x height x width of the model's input, one uint per pixel) as an
    /// input source: records its pre-pass and per-slot lists now, so that submitting from it later allocates nothing.
    /// </summary>
    public Rgba8Source RegisterRgba8(BufferSlice pixels)
    {
        RequireIdleSlicing();
        var shape = _input.Shape;
        var kept = new CommandList(Device);
        kept.Edge(PlanEdge.Overwrite); // the app's writes to the pixels and the previous inference's reads of the input are done
        var recorder = new CommandRecorder(Device, kept, _graph.Variant); // owns the pre-pass binding set
        _sourceRecorders.Add(recorder);
        ImageInputKernels.Rgba8ToNchw(recorder, shape.N, shape.H, shape.W, _normalization.Mean, _normalization.Std, pixels, InputTensor);
        return AddSource(kept);
    }

    /// <summary>
    /// Registers an app-owned VkImage as an input source, read in place by the pre-pass (no copy): a 2-D image of one
    /// of <see cref="ImageInputKernels.ImageFormats"/> (R8G8B8A8 or B8G8R8A8, UNORM or SRGB; the stored bytes are used
    /// as they are, R first), width x (height * batch) of the model's input (batch images stacked vertically), created
    /// with VK_IMAGE_USAGE_SAMPLED_BIT (it is bound as a sampled image and read with texelFetch; no sampler), and in
    /// <paramref name="layout"/> (SHADER_READ_ONLY_OPTIMAL or GENERAL) whenever an inference from it runs: VkResNet
    /// never transitions it. Each inference opens with a full barrier, which orders the app's earlier writes on the
    /// queue; the app must not write the image again before the ticket completes. Mip 0, layer 0 is read.
    /// </summary>
    public Rgba8Source RegisterRgba8Image(in ExternalImage image, VkImageLayout layout)
    {
        RequireIdleSlicing();
        var shape = _input.Shape;
        ImageInputKernels.RequireRgba8Image(image, shape.N, shape.H, shape.W); // before a view exists: a view of an unusable image is itself invalid
        var view = ImageView.FromExternal(Device, image, layout, "app.rgba8-image");
        _imageViews.Add(view);
        var kept = new CommandList(Device);
        kept.Edge(PlanEdge.Overwrite);
        _imageSets.Add(ImageInputKernels.Rgba8ImageToNchw(Device, kept, view, shape.N, shape.H, shape.W, _normalization.Mean, _normalization.Std, InputTensor));
        return AddSource(kept);
    }

    Rgba8Source AddSource(CommandList kept)
    {
        _sourceKept.Add(kept);
        foreach (var s in _slots) s.SourceLists = [.. s.SourceLists, RecordList(kept)];
        return new Rgba8Source(_sourceKept.Count - 1);
    }

    /// <summary>Registers an app-owned VkBuffer (created with STORAGE_BUFFER usage) holding RGBA8 pixels at <paramref name="offset"/>.</summary>
    public Rgba8Source RegisterRgba8(VkBuffer buffer, long offset, long size)
    {
        var wrapped = Buffer.FromExternal(Device, buffer, offset + size, "app.rgba8");
        _externalBuffers.Add(wrapped);
        return RegisterRgba8(wrapped.Slice(offset, size));
    }

    CommandList SourceKept(Rgba8Source source) =>
        source.Index >= 0 && source.Index < _sourceKept.Count ? _sourceKept[source.Index] : throw new ArgumentException($"{source} was not registered here.", nameof(source));

    CommandList SourceList(Slot s, Rgba8Source source)
    {
        SourceKept(source);
        return s.SourceLists[source.Index];
    }

    // ---- tickets and the ring ------------------------------------------------------------------------

    /// <summary>The next ring slot; waits for its previous inference only when all slots are in flight.</summary>
    Slot Acquire()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        RequireIdleSlicing();
        var s = _slots[_nextSlot];
        if (s.Value != 0 && !IsComplete(new InferenceTicket(this, s.Index, s.Value)))
            Wait(new InferenceTicket(this, s.Index, s.Value), null);
        _nextSlot = (_nextSlot + 1) % _slots.Length;
        s.Value = ++_lastValue;
        s.Recorded = false;
        s.AppCompleted = false;
        return s;
    }

    void RequireIdleSlicing()
    {
        if (_slicingSlot >= 0)
            throw new InvalidOperationException($"A sliced inference still has {RemainingSlices} slice(s) to submit; the graph's memory is in use until then.");
    }

    void WriteUpload(Slot s, ReadOnlySpan<float> input)
    {
        if (input.Length != InputLength)
            throw new ArgumentException($"The input has {InputLength} floats {_input.Shape}; {input.Length} were given.", nameof(input));
        MemoryMarshal.AsBytes(input).CopyTo(s.Upload.Buffer.MappedBytes.Slice((int)s.Upload.Offset, (int)_inputBytes));
    }

    Slot SlotOf(in InferenceTicket t)
    {
        if (!t.IsFor(this)) throw new ArgumentException("The ticket belongs to another inference.");
        return _slots[t.Slot];
    }

    internal bool IsComplete(in InferenceTicket t)
    {
        var s = SlotOf(t);
        if (s.Value > t.Value) return true; // the slot was reused, which waits for the older inference first
        if (!s.FullySubmitted) return false;
        if (_timeline != null) return _timeline.CompletedValue >= t.Value;
        return s.Recorded ? s.AppCompleted : s.Last!.IsComplete;
    }

    internal void Wait(in InferenceTicket t, TimeSpan? timeout)
    {
        var s = SlotOf(t);
        if (s.Value > t.Value) return;
        if (!s.FullySubmitted)
            throw new InvalidOperationException($"{t} still has slices to submit; waiting for it would never end.");
        if (_timeline != null) _timeline.Wait(t.Value, timeout);
        else if (s.Recorded)
        {
            if (!s.AppCompleted) throw new InvalidOperationException($"{t} was recorded into the app's command buffer; without timeline semaphores the app reports its end with NotifyCompleted.");
        }
        else s.Last!.Wait(timeout);
    }

    internal ReadOnlySpan<float> Result(InferenceTicket t)
    {
        var s = SlotOf(t);
        if (s.Value != t.Value) throw new InvalidOperationException($"The result of {t} was overwritten: {Slots} newer inferences reused its slot.");
        if (!IsComplete(t)) throw new InvalidOperationException($"{t} has not finished; check IsComplete or Wait first.");
        return MemoryMarshal.Cast<byte, float>(s.Readback.Buffer.MappedBytes.Slice((int)s.Readback.Offset, (int)_outputBytes));
    }

    /// <summary>The readback ring slot of a ticket as a GPU buffer (host-visible; the app may bind it after waiting on the ticket).</summary>
    public BufferSlice ResultSlice(in InferenceTicket t) => SlotOf(t).Readback;

    /// <summary>
    /// Waits for the inferences VkResNet submitted (their own fences or timeline values; no device-wide wait), then
    /// frees everything. Inferences recorded into the app's command buffers must have finished before this is called.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Wait for our own inferences (no device-wide wait on the app's device); destroying the timeline then waits for the
        // queue to go idle (TimelineSemaphore.Dispose: lavapipe finishes its bookkeeping of a wait after the fence signals).
        foreach (var s in _slots)
        {
            if (s is null || s.Value == 0) continue;
            if (_timeline != null && s.FullySubmitted && !s.Recorded) _timeline.Wait(s.Value);
            else s.Last?.Wait();
        }
        foreach (var s in _slots) s?.Dispose();
        _recorder.Dispose();
        foreach (var r in _sourceRecorders) r.Dispose();
        _timeline?.Dispose();
        _readback.Dispose();
        _upload.Dispose();
        foreach (var b in _externalBuffers) b.Dispose();
        foreach (var set in _imageSets) set.Dispose();
        foreach (var v in _imageViews) v.Dispose();
    }
}
