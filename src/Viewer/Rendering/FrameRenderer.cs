using System.Runtime.InteropServices;
using VkResNet.Runtime;
using VkResNet.Viewer.Sources;
using Access = Silk.NET.Vulkan.AccessFlags;
using Buffer = VkResNet.Runtime.Buffer;
using Stage = Silk.NET.Vulkan.PipelineStageFlags;

namespace VkResNet.Viewer.Rendering;

/// <summary>
/// Records one viewer frame into a command list: (inference) -> per-channel and per-stage
/// statistics and top-5 on the GPU -> viewer_draw writes every pixel of the view into
/// <see cref="Output"/>(slot) (packed 8-bit RGBA/BGRA). Nothing is read back; a window copies it to
/// a swapchain image, the headless path downloads it. One params buffer, output buffer and command
/// list per frame slot, so the host fills slot k+1 while the GPU still draws slot k, and a frame's
/// compute work never waits for the previous frame's copy to the (possibly not yet acquired) image.
/// </summary>
public sealed class FrameRenderer : IDisposable
{
    public const int NameLength = 24, MaxLabels = 160, MaxChars = 4096, MaxCurveColumns = 4096;

    [StructLayout(LayoutKind.Sequential)] readonly record struct ChannelStatsPush(uint N, uint Channels, uint Hw, uint Base);
    [StructLayout(LayoutKind.Sequential)] readonly record struct StageStatsPush(uint Channels, uint Base, uint Slot);
    [StructLayout(LayoutKind.Sequential)] readonly record struct Top5Push(uint N, uint Classes);

    readonly IFeatureSource _source;
    readonly Device _device;
    readonly Kernel _channelStats, _stageStats, _top5, _draw;
    readonly Buffer _stats, _top, _names;
    readonly Buffer[] _frames;
    readonly CommandList[] _lists;
    readonly bool[] _timed, _inferred;
    readonly BindingSet[] _channelSets;
    readonly BindingSet _stageSet;
    readonly BindingSet? _topSet;
    readonly StageView[] _statTensors; // stages, then the input
    readonly int[] _channelBase;
    readonly LabelList _labels = new(MaxLabels, MaxChars);
    readonly MetricsWatcher? _metrics;
    readonly uint[] _curveColumns = new uint[CurvesPanel.Series * MaxCurveColumns];
    readonly LabelList _curveLabels = new(24, 1024);
    int _curveW;
    Rect _curvesBuiltFor;
    BindingSet[,]? _drawSets;
    Buffer[] _outputs = [];
    int _statsBatch = -1;

    public int Slots { get; }
    public int Width { get; private set; }
    public int Height { get; private set; }
    /// <summary>The view slot <paramref name="slot"/> draws: Width x Height packed 8-bit pixels, row-major.</summary>
    public BufferSlice Output(int slot) => _outputs.Length > 0 ? _outputs[slot].Slice(0, 4L * Width * Height) : throw new InvalidOperationException("Call Resize first.");
    public IFeatureSource Source => _source;
    /// <summary>Set when the tensors changed outside the viewer's own inference (statistics are recomputed next frame).</summary>
    public bool StatsDirty { get; set; } = true;
    public int FrameParamsBytes { get; }
    /// <summary>Label colours (0xBBGGRR) of the stage strip's mean and std, the colours of their bars in viewer_draw.</summary>
    public const int MeanColor = 0x3CA0F0, StdColor = 0xF0AA5A;

    /// <param name="metricsPath">A run's metrics.csv to plot in the curves panel as it grows (--live), or null for no panel.</param>
    public FrameRenderer(IFeatureSource source, int slots = 2, string? metricsPath = null)
    {
        if (metricsPath != null) _metrics = new MetricsWatcher(metricsPath, TimeSpan.FromSeconds(1));
        if (source.Stages.Count == 0) throw new ArgumentException("The feature source has no stages to draw.");
        _source = source;
        _device = source.Device;
        Slots = slots;
        ShaderLibrary.Register(typeof(FrameRenderer).Assembly); // the viewer_*.comp kernels live in this assembly, not the runtime's
        _channelStats = _device.GetKernel("viewer_channel_stats");
        _stageStats = _device.GetKernel("viewer_stage_stats");
        _top5 = _device.GetKernel("viewer_top5");
        _draw = _device.GetKernel("viewer_draw");

        _statTensors = [.. source.Stages, source.Input];
        _channelBase = new int[_statTensors.Length];
        int at = 4 * _statTensors.Length;
        for (int i = 0; i < _statTensors.Length; i++)
        {
            Check(_statTensors[i]);
            _channelBase[i] = at;
            at += 4 * _statTensors[i].C;
        }
        _stats = _device.CreateBuffer(4L * at, MemoryKind.DeviceLocal, "viewer-stats");
        _top = _device.CreateBuffer(4L * 10, MemoryKind.DeviceLocal, "viewer-top5");
        int classes = source.Logits?.C ?? 0;
        _names = _device.CreateBuffer(4L * Math.Max(1, classes * NameLength), MemoryKind.DeviceLocal, "viewer-class-names");
        if (classes > 0)
        {
            var names = new uint[classes * NameLength];
            for (int k = 0; k < classes; k++)
            {
                string name = k < source.ClassNames.Count ? source.ClassNames[k] : $"class {k}";
                for (int i = 0; i < NameLength; i++)
                    names[k * NameLength + i] = i < name.Length && name[i] is >= ' ' and <= '~' ? name[i] : ' ';
            }
            _device.Upload(_names.All, (ReadOnlySpan<uint>)names);
        }

        FrameParamsBytes = Marshal.SizeOf<ViewParams>() + MaxLabels * Marshal.SizeOf<Label>() + (MaxChars + _curveColumns.Length) * 4;
        _frames = new Buffer[slots];
        _lists = new CommandList[slots];
        _timed = new bool[slots];
        _inferred = new bool[slots];
        for (int s = 0; s < slots; s++)
        {
            _frames[s] = _device.CreateBuffer(FrameParamsBytes, MemoryKind.Upload, $"viewer-frame-{s}");
            _lists[s] = _device.CreateCommandList(_device.Info.TimestampsSupported ? 4 : 0);
        }
        _channelSets = _statTensors.Select(t => _device.CreateBindingSet(_channelStats, [t.Data, _stats.All])).ToArray();
        _stageSet = _device.CreateBindingSet(_stageStats, [_stats.All]);
        if (source.Logits is StageView logits) _topSet = _device.CreateBindingSet(_top5, [logits.Data, _top.All]);
    }

    static void Check(in StageView t)
    {
        if (t.N <= 0 || t.C <= 0 || t.H <= 0 || t.W <= 0) throw new ArgumentException($"Tensor {t} has an empty dimension.");
        if (t.Data.Size < t.Elements * 4) throw new ArgumentException($"Tensor {t} needs {t.Elements * 4} bytes; its slice {t.Data} holds {t.Data.Size}.");
    }

    /// <summary>(Re)creates the output for a w x h view. The caller makes sure no frame is in flight.</summary>
    public void Resize(int width, int height)
    {
        if (width == Width && height == Height && _outputs.Length > 0) return;
        DisposeDrawSets();
        foreach (var o in _outputs) o.Dispose();
        Width = Math.Max(width, 1);
        Height = Math.Max(height, 1);
        _outputs = Enumerable.Range(0, Slots).Select(s => _device.CreateBuffer(4L * Width * Height, MemoryKind.DeviceLocal, $"viewer-output-{s}")).ToArray();
        _drawSets = new BindingSet[Slots, _source.Stages.Count];
        for (int s = 0; s < Slots; s++)
            for (int k = 0; k < _source.Stages.Count; k++)
                _drawSets[s, k] = _device.CreateBindingSet(_draw,
                    [_frames[s].All, _source.Input.Data, _source.Stages[k].Data, _stats.All, _top.All, _names.All, Output(s)]);
    }

    public ViewLayout Layout(ViewState state)
    {
        var st = _source.Stages[state.Stage];
        return ViewLayout.Compute(Width, Height, _source.Stages.Count, (st.C, st.H, st.W), (_source.Input.H, _source.Input.W), state.Page, state.ZoomChannel,
            curves: _metrics != null);
    }

    /// <summary>Looks (at most once a second) for new metrics rows; true when there are some to draw.</summary>
    public bool RefreshCurves()
    {
        if (_metrics == null || !_metrics.Poll()) return false;
        _curvesBuiltFor = default; // rebuilt by the next frame
        return true;
    }

    public IReadOnlyList<Graph.Reporting.MetricsRow> CurveRows => _metrics?.Rows ?? [];

    /// <summary>
    /// Waits for slot's previous frame (reading its GPU times into <paramref name="state"/>), then
    /// begins its command list and records the frame up to Output(slot) being ready for transfer reads.
    /// The caller appends its copy, ends and submits the list. Reads of Output(slot) by other command
    /// lists (the previous copy from this slot) must have completed: wait for them first.
    /// </summary>
    public CommandList BeginFrame(int slot, ViewState state, bool runInference, bool bgra)
    {
        var cl = _lists[slot];
        cl.Wait();
        if (_timed[slot])
        {
            Span<double> ms = stackalloc double[3];
            cl.ReadTimestampsMs(ms);
            if (_inferred[slot]) state.InferenceMs = _source.InferenceMs ?? ms[1];
            state.DrawMs = ms[2] - ms[1];
        }
        state.Stage = Math.Clamp(state.Stage, 0, _source.Stages.Count - 1);
        var layout = Layout(state);
        state.Page = Math.Clamp(state.Page, 0, layout.Pages - 1);

        cl.Begin();
        bool timed = _device.Info.TimestampsSupported;
        _timed[slot] = timed;
        if (timed) cl.WriteTimestamp();
        // Earlier frames' passes read and wrote what this frame rewrites (stats, the tensors inference
        // writes by compute or transfer). Only compute work is named as the source: a pending copy to
        // a swapchain image must not hold this frame back (its output buffer is this slot's own).
        cl.Barrier(Stage.ComputeShaderBit, Stage.ComputeShaderBit | Stage.TransferBit,
            Access.ShaderWriteBit, Access.ShaderReadBit | Access.ShaderWriteBit | Access.TransferReadBit | Access.TransferWriteBit);
        bool inferred = runInference && _source.RecordInference(cl);
        _inferred[slot] = inferred;
        if (inferred)
            cl.Barrier(Stage.ComputeShaderBit | Stage.TransferBit, Stage.ComputeShaderBit, Access.ShaderWriteBit | Access.TransferWriteBit, Access.ShaderReadBit);
        if (timed) cl.WriteTimestamp();
        if (inferred || StatsDirty || _statsBatch != _source.BatchIndex) RecordStatistics(cl);
        WriteParams(slot, state, layout, bgra);
        cl.Dispatch(_draw, _drawSets![slot, state.Stage], (uint)((Width + 7) / 8), (uint)((Height + 7) / 8));
        if (timed) cl.WriteTimestamp();
        cl.ComputeToTransferBarrier();
        return cl;
    }

    void RecordStatistics(CommandList cl)
    {
        uint n = (uint)_source.BatchIndex;
        for (int i = 0; i < _statTensors.Length; i++)
        {
            var t = _statTensors[i];
            cl.Dispatch(_channelStats, _channelSets[i], new ChannelStatsPush(n, (uint)t.C, (uint)(t.H * t.W), (uint)_channelBase[i]), (uint)t.C);
        }
        if (_topSet != null && _source.Logits is StageView logits)
            cl.Dispatch(_top5, _topSet, new Top5Push(n, (uint)logits.C), 1);
        cl.ComputeBarrier();
        for (int i = 0; i < _statTensors.Length; i++)
            cl.Dispatch(_stageStats, _stageSet, new StageStatsPush((uint)_statTensors[i].C, (uint)_channelBase[i], (uint)i), 1);
        cl.ComputeBarrier();
        StatsDirty = false;
        _statsBatch = _source.BatchIndex;
    }

    void WriteParams(int slot, ViewState state, ViewLayout l, bool bgra)
    {
        var stages = _source.Stages;
        var st = stages[state.Stage];
        var input = _source.Input;
        int inSlot = _statTensors.Length - 1;
        var p = new ViewParams
        {
            viewW = Width, viewH = Height, bgra = bgra ? 1 : 0, image = _source.BatchIndex,
            stageCount = stages.Count, selected = state.Stage, normPerStage = state.PerStageNormalisation ? 1 : 0,
            inX = l.InputRect.X, inY = l.InputRect.Y, inW = l.InputRect.W, inH = l.InputRect.H,
            inC = input.C, inSrcH = input.H, inSrcW = input.W, inSlot = inSlot, inChanBase = _channelBase[inSlot],
            stC = st.C, stH = st.H, stW = st.W, stChanBase = _channelBase[state.Stage],
            gridX = l.GridArea.X, gridY = l.GridArea.Y, cols = l.Cols, rows = l.Rows,
            tileW = l.TileW, tileH = l.TileH, gap = ViewLayout.Gap, firstChannel = l.FirstChannel, tileCount = l.TileCount,
            stripX = ViewLayout.Margin, stripY = ViewLayout.Margin, buttonW = l.ButtonW, buttonH = ViewLayout.StripH,
            buttonGap = ViewLayout.ButtonGap, barH = ViewLayout.BarH,
            topX = l.TopRect.X, topY = l.TopRect.Y, topW = l.TopRect.W, topRowH = ViewLayout.TopRowH,
            hasTop = _topSet != null ? 1 : 0, classNameLen = NameLength, classCount = _source.Logits?.C ?? 0,
            statsSlots = _statTensors.Length,
            cbX = l.ColourBar.X, cbY = l.ColourBar.Y, cbW = l.ColourBar.W, cbH = l.ColourBar.H,
        };
        BuildLabels(state, l, st);
        if (_metrics != null && l.Curves.W > 0)
        {
            var (loss, err) = CurvesPanel.Plots(l.Curves);
            if (_curvesBuiltFor != l.Curves) // made once per new metrics row (or resize), not per frame
            {
                _curveLabels.Clear();
                _curveW = CurvesPanel.Build(_metrics.Rows, l.Curves, _curveColumns, _curveLabels);
                _curvesBuiltFor = l.Curves;
            }
            _labels.Append(_curveLabels);
            p.hasCurves = 1;
            p.curveBase = MaxChars;
            p.curveW = _curveW;
            p.curveX = loss.X;
            (p.lossY, p.lossH, p.errY, p.errH) = (loss.Y, loss.H, err.Y, err.H);
        }
        _labels.WriteTo(_frames[slot].MappedBytes, p);
        if (p.hasCurves != 0)
        {
            int at = Marshal.SizeOf<ViewParams>() + MaxLabels * Marshal.SizeOf<Label>() + MaxChars * 4;
            MemoryMarshal.AsBytes(_curveColumns.AsSpan(0, CurvesPanel.Series * _curveW)).CopyTo(_frames[slot].MappedBytes[at..]);
        }
    }

    void BuildLabels(ViewState state, ViewLayout l, in StageView st)
    {
        var t = _labels;
        t.Clear();
        for (int s = 0; s < l.StageCount; s++)
        {
            var b = l.Button(s);
            t.Text(b.X + 3, b.Y + 4, _source.Stages[s].Name, s == state.Stage ? LabelList.Yellow : LabelList.White, maxColumns: (b.W - 6) / 6);
            // The numbers above their bars (mean left in orange, std right in blue; the bars sit below, never under text).
            int half = b.W / 2, columns = Math.Min(8, (half - 4) / 6);
            t.Gpu(b.X + 2, b.Y + ViewLayout.StripNumberY, LabelKind.StatNumber, 4 * s + 2, columns, MeanColor);
            t.Gpu(b.X + half + 2, b.Y + ViewLayout.StripNumberY, LabelKind.StatNumber, 4 * s + 3, columns, StdColor);
        }
        // Colour bar: the range the tiles' colours span. Per stage: the stage's min..max. Per channel: each tile
        // spans its own channel's min..max; the bar then shows the zoomed channel's range, else the stage's.
        var cb = l.ColourBar;
        int rangeBase = !state.PerStageNormalisation && state.ZoomChannel >= 0 && state.ZoomChannel < st.C
            ? _channelBase[state.Stage] + 4 * state.ZoomChannel : 4 * state.Stage;
        t.Gpu(cb.X - ViewLayout.ColourLabelW, cb.Y, LabelKind.StatNumber, rangeBase, 10, LabelList.White);
        t.Gpu(cb.X + cb.W + 6, cb.Y, LabelKind.StatNumber, rangeBase + 1, 10, LabelList.White);
        int x = l.InputRect.X, cols = l.ColumnW / 6;
        if (_topSet != null)
        {
            t.Text(x, l.TopRect.Y - 16, "top-5", LabelList.Gray);
            for (int r = 0; r < 5; r++)
            {
                int y = l.TopRect.Y + r * ViewLayout.TopRowH + 2;
                t.Gpu(x + 2, y, LabelKind.TopClassName, r, Math.Min(NameLength, cols - 8));
                t.Gpu(x + l.TopRect.W - 6 * 6, y, LabelKind.TopPercent, r, 6, LabelList.Yellow);
            }
        }
        int ty = l.TextY, line = 15;
        t.Text(x, ty, $"stage {state.Stage + 1}/{l.StageCount}: {st.Name}", LabelList.Yellow, maxColumns: cols); ty += line;
        t.Text(x, ty, $"{st.C} ch x {st.H} x {st.W}", maxColumns: cols); ty += line;
        string[] names = ["min", "max", "mean", "std"];
        int[] order = [2, 3, 0, 1];
        foreach (int k in order)
        {
            t.Text(x, ty, names[k], LabelList.Gray);
            t.Gpu(x + 6 * 5, ty, LabelKind.StatNumber, 4 * state.Stage + k, Math.Min(12, cols - 5));
            ty += line;
        }
        t.Text(x, ty, state.PerStageNormalisation ? "colour: stage min..max" : state.ZoomChannel >= 0 ? "colour: channel min..max"
            : "colour: each tile its own", maxColumns: cols); ty += line;
        if (!state.PerStageNormalisation && state.ZoomChannel < 0) { t.Text(x, ty, "min..max; bar: stage", LabelList.Gray, maxColumns: cols); ty += line; }
        t.Text(x, ty, "strip: mean", MeanColor, maxColumns: cols);
        t.Text(x + 6 * 12, ty, "std", StdColor, maxColumns: Math.Max(0, cols - 12)); ty += line;
        t.Text(x, ty, state.ZoomChannel >= 0 ? $"channel {state.ZoomChannel} (zoom)"
            : $"ch {l.FirstChannel}-{l.FirstChannel + l.TileCount - 1} of {st.C}, page {state.Page + 1}/{l.Pages}", maxColumns: cols); ty += line;
        t.Text(x, ty, $"image {_source.ImageIndex + 1}/{_source.ImageCount}", maxColumns: cols); ty += line;
        foreach (string note in _source.Notes)
        {
            t.Text(x, ty, note, LabelList.Gray, maxColumns: cols);
            ty += line;
        }
        t.Text(x, ty, $"frame {state.FrameMs,6:F1} ms", maxColumns: cols); ty += line;
        t.Text(x, ty, $"infer {state.InferenceMs,6:F1} ms", maxColumns: cols); ty += line;
        t.Text(x, ty, $"draw  {state.DrawMs,6:F1} ms", maxColumns: cols); ty += line + 6;
        foreach (string help in (string[])["<- -> stage", "PgUp PgDn page", "N P image", "S norm, Z/click zoom", "Esc quit"])
        {
            t.Text(x, ty, help, LabelList.Dim, maxColumns: cols);
            ty += line;
        }
    }

    /// <summary>Renders one frame and downloads it: rows of packed RGBA8 (the screenshot path; a readback by design).</summary>
    public uint[] RenderToHost(ViewState state, int width, int height)
    {
        Resize(width, height);
        RefreshCurves();
        var cl = BeginFrame(0, state, runInference: true, bgra: false);
        cl.End();
        cl.Submit();
        cl.Wait();
        return _device.Download<uint>(Output(0));
    }

    internal Buffer StatsBuffer => _stats;
    internal Buffer TopBuffer => _top;
    /// <summary>Float offset of the per-channel statistics of stage <paramref name="slot"/> (the input is the last slot).</summary>
    internal int ChannelBase(int slot) => _channelBase[slot];

    void DisposeDrawSets()
    {
        if (_drawSets == null) return;
        foreach (var s in _drawSets) s.Dispose();
        _drawSets = null;
    }

    public void Dispose()
    {
        foreach (var cl in _lists) cl.Dispose();
        DisposeDrawSets();
        _topSet?.Dispose();
        _stageSet.Dispose();
        foreach (var s in _channelSets) s.Dispose();
        foreach (var f in _frames) f.Dispose();
        foreach (var o in _outputs) o.Dispose();
        _names.Dispose();
        _top.Dispose();
        _stats.Dispose();
    }
}
