using System.Globalization;
using VkResNet.Graph.Data;
using VkResNet.Graph.Execution;
using VkResNet.Graph.IO;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Models;
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
        var ckpt = Checkpoint.Load(checkpointPath);
        var spec = specOverride ?? SpecOf(ckpt, checkpointPath);
        var model = ResNetBuilder.Build(spec, batch, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: optimize));
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
        return new InferenceModel(model, graph, classes, NormalizationOf(ckpt, spec.InputChannels));
    }

    /// <summary>The architecture a checkpoint describes (model name, input CxHxW and class names in its metadata).</summary>
    public static ResNetSpec SpecOf(Checkpoint ckpt, string source)
    {
        var m = ckpt.Metadata;
        int c = 3, h = 224, w = 224;
        if (m.TryGetValue("input", out var input))
        {
            var parts = input.Split('x');
            if (parts.Length != 3 || !int.TryParse(parts[0], out c) || !int.TryParse(parts[1], out h) || !int.TryParse(parts[2], out w))
                throw new InvalidDataException($"{source}: metadata input \"{input}\" is not CxHxW.");
        }
        int classes = m.TryGetValue("classes", out var names) && names.Length > 0 ? names.Split('|').Length
            : ckpt.FindParameter("fc.bias")?.Data.Length ?? throw new InvalidDataException($"{source}: no class names and no fc.bias to count classes from.");
        string name = ckpt.ModelName.Replace("cifar-", "");
        return ModelCatalog.Resolve(name, c, h, w, classes, ckpt.Metadata.TryGetValue("shortcut", out var s) && Enum.TryParse<ShortcutOption>(s, out var so) ? so : null);
    }

    static Normalization NormalizationOf(Checkpoint ckpt, int channels)
    {
        static float[]? Parse(IReadOnlyDictionary<string, string> m, string key) => m.TryGetValue(key, out var v)
            ? v.Split(',').Select(x => float.Parse(x, CultureInfo.InvariantCulture)).ToArray() : null;
        var mean = Parse(ckpt.Metadata, "normalization_mean");
        var std = Parse(ckpt.Metadata, "normalization_std");
        return mean != null && std != null && mean.Length == channels && std.Length == channels ? new Normalization(mean, std)
            : channels == 3 ? Normalization.ImageNet : Normalization.None(channels);
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
