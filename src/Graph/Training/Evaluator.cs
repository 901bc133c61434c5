using VkResNet.Graph.Data;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Models;
using VkResNet.Graph.Reporting;

namespace VkResNet.Graph.Training;

/// <summary>Top-1/top-5 error and loss, with the confusion matrix (per-class accuracy) behind them.</summary>
public sealed record Evaluation(ClassificationMetrics Metrics, ConfusionMatrix Confusion);

/// <summary>Runs an inference graph over a dataset and accumulates top-1/top-5 error, loss and the confusion matrix.</summary>
public static class Evaluator
{
    public static Evaluation Run(CompiledGraph graph, ResNetModel model, Dataset data, Normalization normalization,
        IProgress<TrainProgress>? progress = null, int epoch = 0, int epochs = 0)
    {
        int batch = model.Batch;
        using var loader = new BatchLoader(data, new BatchLoaderOptions
        {
            BatchSize = batch, Shuffle = false, Normalization = normalization, Augmentation = Augmentation.None, Prefetch = true,
        });
        var metrics = new ClassificationMetrics(model.Spec.Classes);
        var confusion = new ConfusionMatrix(model.Spec.Classes);
        var labels = new int[batch];
        var images = graph.Input(model.Input);
        for (int b = 0; b < loader.BatchesPerEpoch; b++)
        {
            var info = loader.Next(images, labels);
            graph.Run();
            var logits = graph.Output(model.Logits);
            int k = model.Spec.Classes;
            metrics.Add(logits[..(info.Count * k)], labels.AsSpan(0, info.Count));
            confusion.AddLogits(logits[..(info.Count * k)], labels.AsSpan(0, info.Count));
            progress?.Report(new TrainProgress(epoch, epochs, b + 1, loader.BatchesPerEpoch, metrics.MeanLoss, 1 - metrics.Top1Error, 0, 0, "test"));
        }
        return new Evaluation(metrics, confusion);
    }
}
