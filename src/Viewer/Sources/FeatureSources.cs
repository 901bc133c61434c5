using VkResNet.Graph.Edge;
using VkResNet.Runtime;

namespace VkResNet.Viewer.Sources;

/// <summary>Picks the viewer's source from its options: a checkpoint (given, followed live, or the default run's), else the synthetic one.</summary>
public static class FeatureSources
{
    public const string DefaultCheckpoint = "runs/latest/checkpoint.safetensors";
    public const string CheckpointFile = "checkpoint.safetensors";
    /// <summary>The metrics.csv the curves panel follows: --live RUN's, else none.</summary>
    public static string? MetricsPath(ViewerOptions o) => o.LiveRun != null ? Path.Combine(o.LiveRun, "metrics.csv") : null;

    public static readonly TimeSpan LivePollInterval = TimeSpan.FromSeconds(1);

    /// <summary>The source, with image <see cref="ViewerOptions.Index"/> selected. The caller disposes it (every source is IDisposable).</summary>
    public static IFeatureSource Open(Device device, ViewerOptions o, TextWriter log, Switches? switches = null)
    {
        string? path = o.LiveRun != null ? Path.Combine(o.LiveRun, CheckpointFile) : o.Checkpoint;
        if (o.Synthetic || path == null && !File.Exists(DefaultCheckpoint))
        {
            if (!o.Synthetic)
                log.WriteLine($"vkresnet-viewer: no checkpoint at {DefaultCheckpoint} (train one with `vkresnet train`, or pass --checkpoint PATH): " +
                              "showing a synthetic ResNet-18-shaped source.");
            var synthetic = new SyntheticFeatureSource(device, SyntheticFeatureSource.ResNet18Shapes(), animate: o.Animate);
            synthetic.SelectImage(o.Index);
            return synthetic;
        }
        path ??= DefaultCheckpoint;
        if (!File.Exists(path))
            throw new ArgumentException(o.LiveRun != null
                ? $"No {CheckpointFile} in {o.LiveRun} yet: the trainer writes it after its first epoch (vkresnet train --out {o.LiveRun})."
                : $"No checkpoint at {path}. Train one with `vkresnet train` or import one with vkresnet-import.");
        if (o.Animate) throw new ArgumentException("--animate drives the synthetic source; a model runs real inference.");
        var source = ModelFeatureSource.Open(device, path,
            m => o.Images.Count > 0
                ? ImageList.FromFiles(o.Images, (m.Spec.InputChannels, m.Spec.InputHeight, m.Spec.InputWidth))
                : ImageList.FromDataset(o.Data, o.DataDir, (m.Spec.InputChannels, m.Spec.InputHeight, m.Spec.InputWidth)),
            o.LiveRun != null ? LivePollInterval : null, log, switches);
        try
        {
            if (o.Index >= source.ImageCount)
                throw new ArgumentException($"--index {o.Index} is out of range: there are {source.ImageCount} images (0..{source.ImageCount - 1}).");
            source.SelectImage(o.Index);
            log.WriteLine($"vkresnet-viewer: {source.Model.Spec.Name} from {path}, {source.ImageCount} images, stages {string.Join(", ", source.Stages)}");
            return source;
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }
}
