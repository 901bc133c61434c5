using System.Globalization;
using VkResNet.Graph.Data;
using VkResNet.Graph.Edge;
using VkResNet.Graph.Execution;
using VkResNet.Graph.IO;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Models;
using VkResNet.Graph.Ops;
using VkResNet.Runtime;

namespace VkResNet.Graph.Training;

/// <summary>
/// A trained or imported model ready to run: the inference graph (BN folded into convs, bias +
/// ReLU (+ residual) fused into conv epilogues) compiled for one batch size, weights loaded.
/// </summary>
public sealed class InferenceModel : IDisposable
{
    public ResNetModel Model { get; }
    public CompiledGraph Graph { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public Normalization Normalization { get; }
    public int Batch => Model.Batch;
    public ResNetSpec Spec => Model.Spec;

    InferenceModel(ResNetModel model, CompiledGraph graph, IReadOnlyList<string> classNames, Normalization normalization)
    {
        Model = model;
        Graph = graph;
        ClassNames = classNames;
        Normalization = normalization;
    }

    /// <summary>
    /// Builds, compiles and loads a checkpoint written by the trainer or the importer. With
    /// <paramref name="keepStages"/> every stage output (stem, pool, layer1.., avgpool) gets memory of its
    /// own, readable after each run through <see cref="CompiledGraph.Slice"/> (the viewer draws them);
    /// otherwise the activation arena reuses it in later passes.
    /// </summary>
    public static InferenceModel Load(Device device, string checkpointPath, int batch = 1, bool optimize = true, CompileOptions? compile = null,
                                      ResNetSpec? specOverride = null, bool keepStages = false)
    {
        var (ckpt, spec) = Open(checkpointPath);
        return Load(device, ckpt, specOverride ?? spec, checkpointPath, batch, optimize, compile, keepStages);
    }

    /// <summary>Loads a checkpoint already opened (and checked) by <see cref="Open"/>.</summary>
    public static InferenceModel Load(Device device, Checkpoint ckpt, ResNetSpec spec, string checkpointPath, int batch = 1, bool optimize = true,
                                      CompileOptions? compile = null, bool keepStages = false)
    {
        var normalization = NormalizationOf(ckpt, spec.InputChannels, checkpointPath);
        var model = ResNetBuilder.Build(spec, batch, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: optimize));
        ModelState.Check(model.Graph, ckpt, withOptimizer: false, checkpointPath);  // another architecture fails here, before any device work
        if (keepStages)
        {
            var builder = new GraphBuilder(model.Graph);
            foreach (string stage in model.Stages) builder.MarkOutput(model.Graph[stage]);
        }
        var graph = CompiledGraph.Compile(device, model.Graph, compile);
        try
        {
            ModelState.Restore(graph, ckpt, withOptimizer: false, checkpointPath);
        }
        catch
        {
            graph.Dispose();
            throw;
        }
        var classes = ckpt.Metadata.TryGetValue("classes", out var c) && c.Length > 0 ? c.Split('|') : Enumerable.Range(0, spec.Classes).Select(i => $"class {i}").ToArray();
        return new InferenceModel(model, graph, classes, normalization);
    }

    /// <summary>
    /// Reads a checkpoint (checksum verified where it has one) and the architecture its metadata describes, checking every
    /// metadata value it uses (input shape, class names against fc, normalisation) before anything is built.
    /// </summary>
    public static (Checkpoint Checkpoint, ResNetSpec Spec) Open(string checkpointPath)
    {
        var ckpt = Checkpoint.Load(checkpointPath);
        var spec = SpecOf(ckpt, checkpointPath);
        NormalizationOf(ckpt, spec.InputChannels, checkpointPath);
        ModelState.Check(ResNetBuilder.Build(spec, 1, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: false)).Graph, ckpt, withOptimizer: false, checkpointPath);
        return (ckpt, spec);
    }

    /// <summary>Refuses a data set whose images or classes are not the ones the model was made for.</summary>
    public static void CheckFits(ResNetSpec spec, Dataset data, string source, bool anyImageSize = false)
    {
        if (data.Channels != spec.InputChannels || !anyImageSize && (data.Height != spec.InputHeight || data.Width != spec.InputWidth))
            throw new BadInputException($"{source} holds a {spec.Name} for {spec.InputChannels}x{spec.InputHeight}x{spec.InputWidth} images; {data.Name} has {data.Channels}x{data.Height}x{data.Width}.");
        if (data.ClassCount != spec.Classes)
            throw new BadInputException($"{source} holds a {spec.Name} with {spec.Classes} classes; {data.Name} has {data.ClassCount}.");
    }

    /// <summary>The architecture a checkpoint describes (model name, input CxHxW and class names in its metadata).</summary>
    public static ResNetSpec SpecOf(Checkpoint ckpt, string source)
    {
        var m = ckpt.Metadata;
        int c = 3, h = 224, w = 224;
        if (m.TryGetValue("input", out var input))
        {
            var parts = input.Split('x');
            if (parts.Length != 3 || !Dim(parts[0], 64, out c) || !Dim(parts[1], 4096, out h) || !Dim(parts[2], 4096, out w))
                throw new InvalidDataException($"{source}: metadata input \"{input}\" is not CxHxW (channels 1-64, sides 1-4096).");
        }
        int? fc = ckpt.FindParameter("fc.bias")?.Data.Length;
        int classes;
        if (m.TryGetValue("classes", out var names) && names.Length > 0)
        {
            classes = names.Split('|').Length;
            if (fc is int k && k != classes)
                throw new InvalidDataException($"{source}: metadata names {classes} classes but fc.bias has {k}.");
        }
        else classes = fc ?? throw new InvalidDataException($"{source}: no class names and no fc.bias to count classes from.");
        if (classes < 1) throw new InvalidDataException($"{source}: the model has no classes.");
        string name = ckpt.ModelName.Replace("cifar-", "");
        ShortcutOption? shortcut = null;
        if (m.TryGetValue("shortcut", out var s))
            shortcut = Enum.TryParse<ShortcutOption>(s, out var so) && Enum.IsDefined(so) ? so
                : throw new InvalidDataException($"{source}: metadata shortcut \"{s}\" is not A, B or C.");
        try { return ModelCatalog.Resolve(name, c, h, w, classes, shortcut); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source}: {e.Message}"); }

        static bool Dim(string text, int max, out int v) =>
            int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out v) && v >= 1 && v <= max;
    }

    static Normalization NormalizationOf(Checkpoint ckpt, int channels, string source)
    {
        float[]? Parse(string key, bool positive)
        {
            if (!ckpt.Metadata.TryGetValue(key, out var v)) return null;
            var parts = v.Split(',');
            var values = new float[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !float.IsFinite(values[i]) || positive && values[i] <= 0)
                    throw new InvalidDataException($"{source}: metadata {key} \"{v}\" is not a list of {channels} finite{(positive ? " positive" : "")} numbers.");
            if (values.Length != channels)
                throw new InvalidDataException($"{source}: metadata {key} has {values.Length} values; the model has {channels} input channels.");
            return values;
        }
        var mean = Parse("normalization_mean", positive: false);
        var std = Parse("normalization_std", positive: true);
        if ((mean == null) != (std == null)) throw new InvalidDataException($"{source}: metadata has only one of normalization_mean and normalization_std.");
        return mean != null ? new Normalization(mean, std!) : channels == 3 ? Normalization.ImageNet : Normalization.None(channels);
    }

    /// <summary>Runs the graph on images already written into <see cref="Input"/>; returns the logits [batch, classes].</summary>
    public ReadOnlySpan<float> Run()
    {
        Graph.Run();
        return Graph.Output(Model.Logits);
    }

    /// <summary>The mapped input batch (NCHW float32, normalised).</summary>
    public Span<float> Input => Graph.Input(Model.Input);

    /// <summary>Writes one uint8 image (CHW, the model's size) normalised into slot <paramref name="index"/> of the batch.</summary>
    public void SetImage(int index, ReadOnlySpan<byte> chw)
    {
        int per = Spec.InputChannels * Spec.InputHeight * Spec.InputWidth;
        if (chw.Length != per) throw new ArgumentException($"An image for {Spec.Name} has {per} bytes ({Spec.InputChannels}x{Spec.InputHeight}x{Spec.InputWidth}); got {chw.Length}.");
        var dst = Input.Slice(index * per, per);
        int plane = Spec.InputHeight * Spec.InputWidth;
        for (int c = 0; c < Spec.InputChannels; c++)
            for (int i = 0; i < plane; i++)
                dst[c * plane + i] = (chw[c * plane + i] / 255f - Normalization.Mean[c]) / Normalization.Std[c];
    }

    /// <summary>The top-k (class, probability) of one row of logits, by softmax.</summary>
    public static (int Class, double Probability)[] TopK(ReadOnlySpan<float> logits, int k)
    {
        double max = double.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v);
        double sum = 0;
        foreach (float v in logits) sum += Math.Exp(v - max);
        var all = new (int, double)[logits.Length];
        for (int i = 0; i < logits.Length; i++) all[i] = (i, Math.Exp(logits[i] - max) / sum);
        return all.OrderByDescending(p => p.Item2).Take(k).ToArray();
    }

    public void Dispose() => Graph.Dispose();
}
