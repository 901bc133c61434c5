using System.Globalization;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Data;
using VkResNet.Graph.IO;
using VkResNet.Graph.Ir;
using VkResNet.Graph.Models;
using VkResNet.Graph.Tests.Interpreter;
using VkResNet.Graph.Tests.Support;
using VkResNet.Graph.Training;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Training;

/// <summary>
/// eval --ten-crop end to end (checkpoint file -> TenCropEvaluator on the device -> metrics) against a CPU computation in
/// double: the ten crops cut by hand (4 corners, centre, their mirrors), normalised, run through the plan interpreter,
/// softmax averaged over the views, then loss and top-1 per image.
/// </summary>
[Collection(GpuCollection.Name)]
public sealed class TenCropEvaluationTests(GpuFixture gpu) : GpuTest(gpu)
{
    [Fact]
    public void Ten_crop_evaluation_of_a_checkpoint_matches_a_cpu_double_computation()
    {
        const int Crop = 23, Images = 5;  // an odd crop: the centre offset (28 - 23) / 2 rounds to even
        Assert.True(Directory.Exists(Dataset.DefaultFashionMnistFolder), "Fashion-MNIST is missing: run scripts/setup.sh");
        var test = Dataset.LoadFashionMnist(train: false).Take(Images);
        var spec = ModelCatalog.Resolve("resnet8", 1, 28, 28, 10);
        var norm = Normalization.FashionMnist;

        // Seeded weights, written as train would write them.
        var full = ResNetBuilder.Build(spec, 1, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: false));
        var weights = new PlanInterpreter(full.Graph, Compiler.GraphCompiler.Plan(full.Graph));
        ModelData.Fill(weights, full, seed: 11);
        var parameters = full.Graph.ReferencedTensors().Where(t => t.Kind is TensorKind.Parameter or TensorKind.RunningStat).ToList();
        using var dir = new TempDir();
        string path = dir.File("ckpt.safetensors");
        new Checkpoint
        {
            ModelName = spec.Name,
            Parameters = parameters.Select(t => new NamedTensor(t.Name, t.Shape.Dims.ToArray(), weights[t].ToArray().Select(v => (float)v).ToArray())).ToList(),
            Metadata = new Dictionary<string, string>
            {
                ["input"] = "1x28x28", ["classes"] = string.Join("|", test.ClassNames),
                ["normalization_mean"] = norm.Mean[0].ToString(CultureInfo.InvariantCulture), ["normalization_std"] = norm.Std[0].ToString(CultureInfo.InvariantCulture),
            },
        }.Save(path);

        var gpu = TenCropEvaluator.Run(Device, path, test, Crop, imagesPerBatch: 2).Metrics;

        // The CPU computation: the same weights (float-rounded, as stored), ten hand-cut views per image.
        var views = ResNetBuilder.Build(spec.WithInput(1, Crop, Crop), 10, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: false));
        var cpu = new PlanInterpreter(views.Graph, Compiler.GraphCompiler.Plan(views.Graph));
        foreach (var t in parameters)
        {
            var src = weights[t];
            var dst = cpu[t.Name];
            for (int i = 0; i < src.Length; i++) dst[i] = (float)src[i];
        }
        double lossSum = 0;
        int correct = 0;
        int off = (int)Math.Round((28 - Crop) / 2.0, MidpointRounding.ToEven);
        (int Y, int X)[] corners = [(0, 0), (0, 28 - Crop), (28 - Crop, 0), (28 - Crop, 28 - Crop), (off, off)];
        for (int n = 0; n < Images; n++)
        {
            var image = test.GetImage(n);
            var input = cpu[views.Input];
            for (int v = 0; v < 10; v++)
                for (int y = 0; y < Crop; y++)
                    for (int x = 0; x < Crop; x++)
                    {
                        var (oy, ox) = corners[v % 5];
                        int sx = v < 5 ? ox + x : ox + Crop - 1 - x;  // views 5-9 are the mirrors
                        input[(v * Crop + y) * Crop + x] = (image[(oy + y) * 28 + sx] / 255.0 - norm.Mean[0]) / norm.Std[0];
                    }
            cpu.Run();
            var logits = cpu[views.Logits];
            var p = new double[10];
            for (int v = 0; v < 10; v++)
            {
                double max = double.NegativeInfinity, sum = 0;
                for (int k = 0; k < 10; k++) max = Math.Max(max, logits[v * 10 + k]);
                for (int k = 0; k < 10; k++) sum += Math.Exp(logits[v * 10 + k] - max);
                for (int k = 0; k < 10; k++) p[k] += Math.Exp(logits[v * 10 + k] - max) / sum / 10;
            }
            int label = test.GetLabel(n);
            lossSum -= Math.Log(p[label]);
            if (Array.IndexOf(p, p.Max()) == label) correct++;
        }

        Assert.Equal(Images, gpu.Count);
        double cpuLoss = lossSum / Images;
        Assert.True(Math.Abs(gpu.MeanLoss - cpuLoss) <= 1e-3 + 1e-3 * cpuLoss, $"10-crop mean loss: device {gpu.MeanLoss:R}, CPU {cpuLoss:R}");
        Assert.Equal(correct, gpu.Top1Correct);
    }
}
