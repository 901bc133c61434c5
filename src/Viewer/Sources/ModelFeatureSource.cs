using VkResNet.Graph.Edge;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Training;
using VkResNet.Runtime;

namespace VkResNet.Viewer.Sources;

/// <summary>
/// A trained (or imported) ResNet as the viewer's source: the checkpoint's inference graph compiled
/// on the viewer's device with batch 1 and its stage outputs kept out of the activation arena, so the
/// viewer reads them straight from the graph's buffers. Images come from a dataset or files and are
/// normalised into the graph's mapped input. With a <see cref="CheckpointWatcher"/> it follows a
/// training run: new weights go into the same compiled graph (no recompile).
/// </summary>
public sealed class ModelFeatureSource : IFeatureSource, IDisposable
{
    readonly InferenceModel _model;
    readonly ImageList _images;
    readonly CheckpointWatcher? _watcher;
    readonly TextWriter _log;
    int _image, _epoch;
    bool _ran;
    double? _inferenceMs;

    public Device Device { get; }
    public StageView Input { get; }
    public IReadOnlyList<StageView> Stages { get; }
    public StageView? Logits { get; }
    public IReadOnlyList<string> ClassNames => _model.ClassNames;
    public int ImageCount => _images.Count;
    public int BatchIndex => 0;
    public int ImageIndex => _image;
    public string CheckpointPath { get; }
    public InferenceModel Model => _model;
    /// <summary>How many times new weights were loaded into the graph since it was built.</summary>
    public int Reloads { get; private set; }

    public IReadOnlyList<string> Notes =>
    [
        _images.Caption(_image),
        $"{_model.Spec.Name} epoch {_epoch}" + (_watcher != null ? " live" : ""),
    ];

    ModelFeatureSource(Device device, InferenceModel model, string checkpointPath, DateTime stamp, Func<InferenceModel, ImageList> images,
                       TimeSpan? liveInterval, TextWriter log)
    {
        Device = device;
        _model = model;
        _log = log;
        _epoch = EpochOf(checkpointPath);
        CheckpointPath = checkpointPath;
        _images = images(model);
        if (_images.Count == 0) throw new ArgumentException($"{_images.Description} holds no images.");
        var graph = model.Graph;
        Input = View(graph, model.Model.Input);
        Stages = model.Model.Stages.Where(s => s != "logits").Select(name => View(graph, model.Model.Graph[name])).ToArray();
        Logits = View(graph, model.Model.Logits);
        if (liveInterval is TimeSpan interval)
            _watcher = new CheckpointWatcher(checkpointPath, stamp, interval, log);
        SelectImage(0);
    }

    /// <summary>
    /// Loads <paramref name="checkpointPath"/> on <paramref name="device"/>; <paramref name="images"/> picks the images once
    /// the model's input size is known. With <paramref name="liveInterval"/>, the file is watched for new weights.
    /// </summary>
    public static ModelFeatureSource Open(Device device, string checkpointPath, Func<InferenceModel, ImageList> images,
                                          TimeSpan? liveInterval = null, TextWriter? log = null, Switches? switches = null)
    {
        // The write time is taken before reading, so a checkpoint written meanwhile counts as newer.
        var stamp = File.GetLastWriteTimeUtc(checkpointPath);
        var model = InferenceModel.Load(device, checkpointPath, batch: 1, compile: new CompileOptions
            {
                Profile = device.Info.TimestampsSupported,
                FullBarriers = switches?.FullBarriers ?? false,   // VKRESNET_FULL_BARRIERS and VKRESNET_CHECK, read at the viewer's edge
                Check = switches?.Check ?? false,
            },
            keepStages: true);
        try
        {
            return new ModelFeatureSource(device, model, checkpointPath, stamp, images, liveInterval, log ?? Console.Out);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The checkpoint's epoch from its safetensors header alone (InferenceModel keeps no metadata but the spec's).</summary>
    static int EpochOf(string path)
    {
        try
        {
            using var f = File.OpenRead(path);
            Span<byte> len = stackalloc byte[8];
            f.ReadExactly(len);
            long n = BitConverter.ToInt64(len);
            if (n <= 0 || n > 100_000_000) return 0;
            var header = new byte[n];
            f.ReadExactly(header);
            using var json = System.Text.Json.JsonDocument.Parse(header);
            return json.RootElement.TryGetProperty("__metadata__", out var m) && m.TryGetProperty("epoch", out var e)
                && int.TryParse(e.GetString(), out int epoch) ? epoch : 0;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return 0;
        }
    }

    /// <summary>A tensor of the compiled graph as N x C x H x W (rank-2 tensors such as pooled features are N x C x 1 x 1).</summary>
    static StageView View(CompiledGraph graph, Tensor t)
    {
        if (t.IsTransient)
            throw new InvalidOperationException($"'{t.Name}' is transient: its memory is reused by later passes (keep it when loading the model).");
        var d = t.Shape.Dims.ToArray();
        return d.Length switch
        {
            4 => new StageView(t.Name, d[0], d[1], d[2], d[3], graph.Slice(t)),
            2 => new StageView(t.Name, d[0], d[1], 1, 1, graph.Slice(t)),
            _ => throw new InvalidOperationException($"'{t.Name}' has shape {t.Shape}; the viewer draws NCHW or NxC tensors."),
        };
    }

    public void SelectImage(int index)
    {
        _image = ((index % ImageCount) + ImageCount) % ImageCount;
        _model.Graph.Wait(); // the graph's first command copies the mapped input: not while it runs
        _model.SetImage(0, _images.Pixels(_image));
    }

    /// <summary>
    /// Submits the compiled graph ahead of the viewer's frame. Ordering: the previous frame's list ends
    /// with a compute-to-transfer barrier and the graph starts with a transfer-to-compute one, a chain
    /// that keeps the graph from overwriting tensors that frame still reads; the frame's own barrier
    /// after this call orders the graph's writes before the statistics and the draw.
    /// </summary>
    public bool RecordInference(CommandList commands)
    {
        ReadInferenceTime();
        _model.Graph.Submit();
        _ran = true;
        return true;
    }

    /// <summary>The graph's GPU time, from its per-pass timestamps, once its last run has finished.</summary>
    public double? InferenceMs
    {
        get
        {
            ReadInferenceTime();
            return _inferenceMs;
        }
    }

    void ReadInferenceTime()
    {
        if (!_ran || !_model.Graph.Profiling || !_model.Graph.IsComplete) return;
        _inferenceMs = _model.Graph.ReadProfile().Sum(p => p.Milliseconds);
    }

    /// <summary>Applies a newer checkpoint once the watcher has read it; true when weights changed.</summary>
    public bool Refresh()
    {
        if (_watcher?.Poll() is not { } ckpt) return false;
        _model.Graph.Wait(); // the weights are written through the staging ring while no step runs
        try
        {
            ModelState.Restore(_model.Graph, ckpt, withOptimizer: false, CheckpointPath);
        }
        catch (InvalidDataException e)
        {
            _log.WriteLine($"vkresnet-viewer: kept the current weights: {e.Message}");
            return false;
        }
        _epoch = ckpt.Epoch;
        Reloads++;
        _log.WriteLine($"vkresnet-viewer: reloaded {CheckpointPath} (epoch {ckpt.Epoch}, step {ckpt.Step})");
        return true;
    }

    public void Dispose() => _model.Dispose();
}
