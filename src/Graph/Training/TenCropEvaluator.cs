using VkResNet.Graph.Data;
using VkResNet.Graph.Edge;
using VkResNet.Graph.IO;
using VkResNet.Graph.Reporting;
using VkResNet.Runtime;

namespace VkResNet.Graph.Training;

/// <summary>
/// The paper's 10-crop testing: each test image is seen as its four corner crops, the centre crop
/// and their horizontal flips; the softmax probabilities of the ten views are averaged. ResNets end
/// in global average pooling, so the model is simply compiled for the crop size.
/// </summary>
public static class TenCropEvaluator
{
    public static Evaluation Run(Device device, string checkpointPath, Dataset test, int crop, int imagesPerBatch = 25)
    {
        if (crop <= 0 || crop > test.Height || crop > test.Width)
            throw UsageException.OutOfRange("--ten-crop", crop, $"a crop side from 1 to the image size {Math.Min(test.Height, test.Width)} ({test.Height}x{test.Width} images)");
        var (ckpt, trained) = InferenceModel.Open(checkpointPath);
        InferenceModel.CheckFits(trained, test, checkpointPath, anyImageSize: true);  // global average pooling takes any crop size
        var spec = trained.WithInput(test.Channels, crop, crop);
        using var model = InferenceModel.Load(device, ckpt, spec, checkpointPath, imagesPerBatch * TenCropGenerator.ViewCount);
        var generator = new TenCropGenerator(test.Channels, test.Height, test.Width, crop, model.Normalization);
        int classes = spec.Classes;
        var labels = new int[imagesPerBatch];
        var probabilities = new float[imagesPerBatch * classes];
        var logProbabilities = new float[imagesPerBatch * classes];
        var metrics = new ClassificationMetrics(classes);
        var confusion = new ConfusionMatrix(classes);
        for (int start = 0; start < test.Count; start += imagesPerBatch)
        {
            int n = generator.GenerateBatch(test, start, imagesPerBatch, model.Input, labels);
            var logits = model.Run();
            TenCropGenerator.AverageSoftmax(logits, n, classes, probabilities);
            // log of averaged probabilities: softmax of these gives the averages back, so metrics read them as logits.
            for (int i = 0; i < n * classes; i++) logProbabilities[i] = MathF.Log(Math.Max(probabilities[i], 1e-30f));
            metrics.Add(logProbabilities.AsSpan(0, n * classes), labels.AsSpan(0, n));
            confusion.AddLogits(logProbabilities.AsSpan(0, n * classes), labels.AsSpan(0, n));
        }
        return new Evaluation(metrics, confusion);
    }
}
