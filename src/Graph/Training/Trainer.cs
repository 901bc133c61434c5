using System.Diagnostics;
using System.Globalization;
using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Data;
using VkResNet.Graph.Execution;
using VkResNet.Graph.IO;
using VkResNet.Graph.Models;
using VkResNet.Graph.Reporting;
using VkResNet.Runtime;

namespace VkResNet.Graph.Training;

/// <summary>
/// Trains a ResNet on a device: one compiled training step (forward, loss, backward, SGD) replayed
/// per batch while the loader prepares the next batch on a worker thread, an evaluation graph that
/// shares the weights by device copy, a checkpoint per epoch (atomic), metrics CSV and an SVG plot.
/// </summary>
public sealed class Trainer : IDisposable
{
    readonly Device _device;
    readonly TrainOptions _options;
    readonly Dataset _train, _test;
    readonly ResNetModel _model;
    readonly ResNetModel _evalModel;
    readonly CompiledGraph _step;
    readonly CompiledGraph _eval;
    readonly LearningRateSchedule _schedule;

    public ResNetSpec Spec { get; }
    public string CheckpointPath => Path.Combine(_options.OutputDirectory, "checkpoint.safetensors");
    public string MetricsPath => Path.Combine(_options.OutputDirectory, "metrics.csv");
    public string PlotPath => Path.Combine(_options.OutputDirectory, "curves.svg");
    public CompiledGraph Step => _step;
    public int StepsPerEpoch { get; }
    /// <summary>The images actually used, after --limit-train / --limit-test.</summary>
    public Dataset TrainSet => _train;
    public Dataset TestSet => _test;
    /// <summary>Steps between two train rows of metrics.csv.</summary>
    public int MetricsEvery => _options.MetricsEvery > 0 ? _options.MetricsEvery : Math.Max(1, StepsPerEpoch / 50);

    public Trainer(Device device, TrainOptions options, Dataset train, Dataset test)
    {
        _device = device;
        _options = options;
        _train = options.LimitTrainImages > 0 && options.LimitTrainImages < train.Count ? train.Take(options.LimitTrainImages) : train;
        _test = options.LimitTestImages > 0 && options.LimitTestImages < test.Count ? test.Take(options.LimitTestImages) : test;
        if (_train.Count < options.BatchSize)
            throw new ArgumentException($"{_train.Name} has {_train.Count} training images, fewer than one batch of {options.BatchSize}.");
        Spec = ModelCatalog.Resolve(options.Model, train.Channels, train.Height, train.Width, train.ClassCount, options.Shortcut);
        StepsPerEpoch = _train.Count / options.BatchSize; // the last partial batch is dropped: the step is recorded for one batch size
        _schedule = LearningRateSchedule.Parse(options.Schedule, options.LearningRate, options.WarmupEpochs * StepsPerEpoch);

        var sgd = new SgdOptions(options.Momentum, options.WeightDecay, options.Nesterov);
        _model = ResNetBuilder.Build(Spec, options.BatchSize, ResNetMode.Train, new ResNetBuildOptions(options.LabelSmoothing, sgd));
        // No larger than the test set: a small --limit-test gets a small evaluation graph (and a checkable one).
        _evalModel = ResNetBuilder.Build(Spec, Math.Min(options.EvalBatchSize, _test.Count), ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: false));
        _step = CompiledGraph.Compile(device, _model.Graph);
        _eval = CompiledGraph.Compile(device, _evalModel.Graph);
    }

    /// <summary>Runs the recipe to the end; returns one result per epoch trained in this call, and hands each to
    /// <paramref name="epochEnded"/> as soon as its checkpoint and metrics are written.</summary>
    public IReadOnlyList<EpochResult> Run(IProgress<TrainProgress>? progress = null, CancellationToken cancel = default, Action<EpochResult>? epochEnded = null)
    {
        Directory.CreateDirectory(_options.OutputDirectory);
        int startEpoch = 0;
        long step = 0;
        if (_options.Resume && File.Exists(CheckpointPath))
        {
            var ckpt = Checkpoint.Load(CheckpointPath);
            if (ckpt.ModelName != Spec.Name)
                throw new InvalidDataException($"{CheckpointPath} holds {ckpt.ModelName}, not {Spec.Name}.");
            ModelState.Restore(_step, ckpt, withOptimizer: true, CheckpointPath);
            startEpoch = ckpt.Epoch;
            step = ckpt.Step;
        }
        else
        {
            ParameterInitializer.Initialize(_step, _options.Seed);
            if (File.Exists(MetricsPath)) File.Delete(MetricsPath);
        }

        var results = new List<EpochResult>();
        using var loader = new BatchLoader(_train, new BatchLoaderOptions
        {
            BatchSize = _options.BatchSize, Shuffle = true, Seed = _options.Seed, Augmentation = _options.Augmentation,
            Normalization = NormalizationFor(_train), DropLast = true, Prefetch = true,
        }, startEpoch);
        using var metrics = new MetricsCsv(MetricsPath, append: true);
        long totalSteps = (long)StepsPerEpoch * _options.Epochs;
        var images = _step.Input(_model.Input);
        var labels = _step.Labels(_model.Labels!);
        var lrSlot = _step.Input(_model.LearningRate!);

        for (int epoch = startEpoch; epoch < _options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double lossSum = 0, correct = 0, lr = 0;
            var window = new MetricsWindow(MetricsEvery, _options.BatchSize);
            for (int i = 0; i < StepsPerEpoch; i++, step++)
            {
                cancel.ThrowIfCancellationRequested();
                loader.Next(images, labels);
                lr = _schedule.At(step, totalSteps);
                lrSlot[0] = (float)lr;
                _step.Run();
                var result = _step.Output(_model.Loss!);
                float loss = result[0];
                if (!float.IsFinite(loss))
                    throw new DivergedException($"The loss became {loss} at step {step} (epoch {epoch + 1}, batch {i + 1}); stopped. " +
                        (File.Exists(CheckpointPath) ? $"The last good checkpoint is kept at {CheckpointPath}." : "No checkpoint was written yet.") +
                        " Try a lower --lr.");
                lossSum += loss;
                correct += result[1];
                if (window.Add(step + 1, epoch + 1, loss, result[1], lr, clock.Elapsed.TotalSeconds, last: i == StepsPerEpoch - 1) is MetricsRow trainRow)
                    metrics.Append(trainRow);
                progress?.Report(new TrainProgress(epoch + 1, _options.Epochs, i + 1, StepsPerEpoch, lossSum / (i + 1),
                    correct / ((i + 1.0) * _options.BatchSize), (i + 1.0) * _options.BatchSize / clock.Elapsed.TotalSeconds, lr, "train"));
            }
            double seconds = clock.Elapsed.TotalSeconds;
            double imagesPerSecond = (double)StepsPerEpoch * _options.BatchSize / seconds;
            double trainLoss = lossSum / StepsPerEpoch, trainError = 1 - correct / ((double)StepsPerEpoch * _options.BatchSize);

            bool last = epoch == _options.Epochs - 1;
            var test = _options.EvaluateEveryEpoch || last ? Evaluate(progress, epoch + 1).Metrics : null;
            var row = new EpochResult(epoch + 1, step, trainLoss, trainError, test?.MeanLoss ?? double.NaN, test?.Top1Error ?? double.NaN,
                test?.Top5Error ?? double.NaN, lr, imagesPerSecond, seconds);
            results.Add(row);
            if (test != null)
                metrics.Append(new MetricsRow(step, row.Epoch, MetricsRow.Test, test.MeanLoss, 1 - test.Top1Error, 1 - test.Top5Error, lr, double.NaN, seconds));
            SaveCheckpoint(epoch + 1, step);
            WritePlot();
            epochEnded?.Invoke(row);
        }
        return results;
    }

    /// <summary>Top-1/top-5 error, loss, per-class accuracy and confusion matrix on the test set with the current weights.</summary>
    public Evaluation Evaluate(IProgress<TrainProgress>? progress = null, int epoch = 0)
    {
        _step.CopyPersistentTo(_eval);
        return Evaluator.Run(_eval, _evalModel, _test, NormalizationFor(_train), progress, epoch, _options.Epochs);
    }

    void SaveCheckpoint(int epoch, long step)
    {
        var meta = new Dictionary<string, string>
        {
            ["lr"] = _options.LearningRate.ToString(CultureInfo.InvariantCulture),
            ["schedule"] = _options.Schedule,
            ["batch_size"] = _options.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["epochs"] = _options.Epochs.ToString(CultureInfo.InvariantCulture),
            ["dataset"] = _train.Name,
            ["shortcut"] = Spec.Shortcut.ToString(),
            ["input"] = $"{Spec.InputChannels}x{Spec.InputHeight}x{Spec.InputWidth}",
            ["classes"] = string.Join("|", _train.ClassNames),
            ["normalization_mean"] = string.Join(",", NormalizationFor(_train).Mean.Select(v => v.ToString(CultureInfo.InvariantCulture))),
            ["normalization_std"] = string.Join(",", NormalizationFor(_train).Std.Select(v => v.ToString(CultureInfo.InvariantCulture))),
        };
        ModelState.Capture(_step, Spec.Name, epoch, step, _options.Seed, meta).Save(CheckpointPath);
    }

    void WritePlot()
    {
        TrainingCurves.Build($"{Spec.Name} on {_train.Name} ({StepsPerEpoch} steps per epoch)", [new TrainingCurves.Run(Spec.Name, MetricsCsv.Read(MetricsPath))])
            .Save(PlotPath);
    }

    public static Normalization NormalizationFor(Dataset d) => d.Name.Contains("fashion", StringComparison.OrdinalIgnoreCase) ? Normalization.FashionMnist
        : d.Name.Contains("cifar", StringComparison.OrdinalIgnoreCase) ? Normalization.Cifar10
        : d.Channels == 3 ? Normalization.ImageNet : Normalization.None(d.Channels);

    public void Dispose()
    {
        _eval.Dispose();
        _step.Dispose();
    }
}
