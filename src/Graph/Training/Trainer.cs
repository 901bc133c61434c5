using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using VkResNet.Graph.Autodiff;
using VkResNet.Graph.Data;
using VkResNet.Graph.Execution;
using VkResNet.Graph.IO;
using VkResNet.Graph.Models;
using VkResNet.Graph.Reporting;
using VkResNet.Graph.Tuning;
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
    readonly IGradientReducer? _reducer;

    public ResNetSpec Spec { get; }
    public string CheckpointPath => Path.Combine(_options.OutputDirectory, "checkpoint.safetensors");
    public string MetricsPath => Path.Combine(_options.OutputDirectory, "metrics.csv");
    public string PlotPath => Path.Combine(_options.OutputDirectory, "curves.svg");
    public CompiledGraph Step => _step;
    /// <summary>The evaluation graph (inference without BN folding, in batches of <see cref="TrainOptions.EvalBatchSize"/> or the test set's size).</summary>
    public CompiledGraph EvaluationGraph => _eval;
    public int StepsPerEpoch { get; }
    /// <summary>Rank 0 (or the only process) writes checkpoints, metrics and curves.</summary>
    public bool IsRoot => _reducer == null || _reducer.Rank == 0;
    /// <summary>Images per optimizer step over every rank and micro-batch.</summary>
    public int GlobalBatch => _options.BatchSize * _options.Accumulate * (_reducer?.WorldSize ?? 1);
    /// <summary>Gradient accumulation or data-parallel: the step runs as a <see cref="DataParallelStep"/>.</summary>
    bool Segmented => _options.Accumulate > 1 || _reducer != null;
    /// <summary>The last step's time split, and the sum over the steps of the last <see cref="Run"/> (segmented steps only).</summary>
    public StepTimes? LastStepTimes { get; private set; }
    public StepTimes? TotalStepTimes { get; private set; }
    public long StepsRun { get; private set; }
    /// <summary>The images actually used, after --limit-train / --limit-test.</summary>
    public Dataset TrainSet => _train;
    public Dataset TestSet => _test;
    /// <summary>Steps between two train rows of metrics.csv.</summary>
    public int MetricsEvery => _options.MetricsEvery > 0 ? _options.MetricsEvery : Math.Max(1, StepsPerEpoch / 50);

    /// <param name="tuning">how the step and evaluation graphs choose their conv kernels (null: the fixed rules)</param>
    /// <param name="reducer">data-parallel ranks whose gradients are averaged (null: one device)</param>
    /// <param name="compile">how both graphs compile (the edge's switches); its tuning gives way to <paramref name="tuning"/> when that is given</param>
    public Trainer(Device device, TrainOptions options, Dataset train, Dataset test, TuningOptions? tuning = null, IGradientReducer? reducer = null,
                   CompileOptions? compile = null)
    {
        _reducer = reducer;
        _device = device;
        _options = options;
        _train = options.LimitTrainImages > 0 && options.LimitTrainImages < train.Count ? train.Take(options.LimitTrainImages) : train;
        _test = options.LimitTestImages > 0 && options.LimitTestImages < test.Count ? test.Take(options.LimitTestImages) : test;
        if (_train.Count < options.BatchSize)
            throw new ArgumentException($"{_train.Name} has {_train.Count} training images, fewer than one batch of {options.BatchSize}.");
        Spec = ModelCatalog.Resolve(options.Model, train.Channels, train.Height, train.Width, train.ClassCount, options.Shortcut);
        StepsPerEpoch = _train.Count / options.BatchSize; // the last partial batch is dropped: the step is recorded for one batch size
        if (Segmented)
        {
            int shards = options.Accumulate * (reducer?.WorldSize ?? 1);
            StepsPerEpoch = BatchLoader.ShardLength(_train.Count, shards) / options.BatchSize;
            if (StepsPerEpoch == 0)
                throw new ArgumentException($"{_train.Name} has {_train.Count} training images, fewer than one global batch of {options.BatchSize} x {shards}.");
        }
        _schedule = LearningRateSchedule.Parse(options.Schedule, options.LearningRate, options.WarmupEpochs * StepsPerEpoch);

        if (options.SyncBatchNorm && reducer == null)
            throw new ArgumentException("SyncBatchNorm sums BN statistics over the ranks of a data-parallel job: it needs a reducer (--distributed).");
        var sgd = new SgdOptions(options.Momentum, options.WeightDecay, options.Nesterov);
        _model = ResNetBuilder.Build(Spec, options.BatchSize, ResNetMode.Train,
            new ResNetBuildOptions(options.LabelSmoothing, sgd, SyncBatchNormRanks: options.SyncBatchNorm ? reducer!.WorldSize : 0));
        // No larger than the test set: a small --limit-test gets a small evaluation graph (and a checkable one).
        _evalModel = ResNetBuilder.Build(Spec, Math.Min(options.EvalBatchSize, _test.Count), ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: false));
        compile = (compile ?? new CompileOptions()) with { Tuning = tuning ?? compile?.Tuning ?? TuningOptions.Off };
        _step = CompiledGraph.Compile(device, _model.Graph, compile);
        _eval = CompiledGraph.Compile(device, _evalModel.Graph, compile);
    }

    /// <summary>Runs the recipe to the end; returns one result per epoch trained in this call, and hands each to
    /// <paramref name="epochEnded"/> as soon as its checkpoint and metrics are written.</summary>
    public IReadOnlyList<EpochResult> Run(IProgress<TrainProgress>? progress = null, CancellationToken cancel = default, Action<EpochResult>? epochEnded = null)
    {
        if (IsRoot)
        {
            AtomicFile.EnsureWritableFolder(_options.OutputDirectory);
            RemoveStaleTempFiles(_options.OutputDirectory);
        }
        int startEpoch = 0;
        long step = 0;
        var ckpt = IsRoot ? CheckResume(_options, _train.Count) : null;  // rank 0 alone reads the checkpoint
        if (ckpt != null)
        {
            if (ckpt.ModelName != Spec.Name)
                throw new InvalidDataException($"{CheckpointPath} holds {ckpt.ModelName}, not {Spec.Name}.");
            ModelState.Restore(_step, ckpt, withOptimizer: true, CheckpointPath);
            startEpoch = ckpt.Epoch;
            step = ckpt.Step;
            MetricsCsv.KeepEpochs(MetricsPath, startEpoch);  // rows a killed run appended after its last checkpoint
        }
        else
        {
            ParameterInitializer.Initialize(_step, _options.Seed);
            if (IsRoot && File.Exists(MetricsPath)) File.Delete(MetricsPath);
        }
        if (_reducer != null)
        {
            Span<long> where = [startEpoch, step]; // rank 0 alone reads the checkpoint; its state reaches every rank below
            _reducer.Broadcast(MemoryMarshal.AsBytes(where));
            (startEpoch, step) = ((int)where[0], where[1]);
        }

        var results = new List<EpochResult>();
        var loaderOptions = new BatchLoaderOptions
        {
            BatchSize = _options.BatchSize, Shuffle = true, Seed = _options.Seed, Augmentation = _options.Augmentation,
            Normalization = NormalizationFor(_train), DropLast = true, Prefetch = true,
        };
        using var parallel = Segmented ? new DataParallelStep(_step, _model, _train, loaderOptions, _options.Accumulate, _reducer,
                                                              _options.BucketBytes, _options.CheckEverySteps, startEpoch,
                                                              _options.SyncBatchNorm) : null;
        using var loader = parallel == null ? new BatchLoader(_train, loaderOptions, startEpoch) : null;
        parallel?.BroadcastState();
        using var metrics = IsRoot ? new MetricsCsv(MetricsPath, append: true) : null;
        long totalSteps = (long)StepsPerEpoch * _options.Epochs;
        var images = _step.Input(_model.Input);
        var labels = _step.Labels(_model.Labels!);
        var lrSlot = _step.Input(_model.LearningRate!);

        for (int epoch = startEpoch; epoch < _options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            double lossSum = 0, correct = 0, lr = 0;
            var window = new MetricsWindow(MetricsEvery, LocalBatch);
            for (int i = 0; i < StepsPerEpoch; i++, step++)
            {
                cancel.ThrowIfCancellationRequested();
                lr = _schedule.At(step, totalSteps);
                float loss, stepCorrect;
                if (parallel != null)
                {
                    var (microLoss, microCorrect) = parallel.Run(step, (float)lr);
                    (loss, stepCorrect) = ((float)(microLoss / _options.Accumulate), (float)microCorrect);
                    LastStepTimes = parallel.LastTimes!;
                    TotalStepTimes = TotalStepTimes is null ? LastStepTimes : TotalStepTimes + LastStepTimes;
                    StepsRun++;
                }
                else
                {
                    loader!.Next(images, labels);
                    lrSlot[0] = (float)lr;
                    _step.Run();
                    var result = _step.Output(_model.Loss!);
                    (loss, stepCorrect) = (result[0], result[1]);
                }
                if (!float.IsFinite(loss))
                    throw new DivergedException($"The loss became {loss} at step {step} (epoch {epoch + 1}, batch {i + 1}); stopped. " +
                        (File.Exists(CheckpointPath) ? $"The last good checkpoint is kept at {CheckpointPath}." : "No checkpoint was written yet.") +
                        " Try a lower --lr.");
                lossSum += loss;
                correct += stepCorrect;
                // Loss and accuracy are this rank's; images/s counts every rank's images.
                if (window.Add(step + 1, epoch + 1, loss, stepCorrect, lr, clock.Elapsed.TotalSeconds, last: i == StepsPerEpoch - 1) is MetricsRow trainRow)
                    metrics?.Append(trainRow);
                progress?.Report(new TrainProgress(epoch + 1, _options.Epochs, i + 1, StepsPerEpoch, lossSum / (i + 1),
                    correct / ((i + 1.0) * LocalBatch), (i + 1.0) * GlobalBatch / clock.Elapsed.TotalSeconds, lr, "train"));
            }
            double seconds = clock.Elapsed.TotalSeconds;
            double imagesPerSecond = (double)StepsPerEpoch * GlobalBatch / seconds;
            double trainLoss = lossSum / StepsPerEpoch, trainError = 1 - correct / ((double)StepsPerEpoch * LocalBatch);

            bool last = epoch == _options.Epochs - 1;
            var test = _options.EvaluateEveryEpoch || last ? Evaluate(progress, epoch + 1).Metrics : null;
            var row = new EpochResult(epoch + 1, step, trainLoss, trainError, test?.MeanLoss ?? double.NaN, test?.Top1Error ?? double.NaN,
                test?.Top5Error ?? double.NaN, lr, imagesPerSecond, seconds);
            results.Add(row);
            if (!IsRoot) continue; // rank 0 alone writes
            if (test != null)
                metrics!.Append(new MetricsRow(step, row.Epoch, MetricsRow.Test, test.MeanLoss, 1 - test.Top1Error, 1 - test.Top5Error, lr, double.NaN, seconds));
            SaveCheckpoint(epoch + 1, step);
            WritePlot();
            epochEnded?.Invoke(row);
        }
        return results;
    }

    /// <summary>The files a run writes atomically into its folder (their temp files are named after them).</summary>
    public static readonly string[] RunFiles = ["checkpoint.safetensors", "metrics.csv", "curves.svg"];

    /// <summary>Deletes temp files a killed run left in <paramref name="folder"/>; returns their names.</summary>
    public static IReadOnlyList<string> RemoveStaleTempFiles(string folder) => AtomicFile.RemoveStaleTemps(folder, RunFiles);

    /// <summary>
    /// With <see cref="TrainOptions.Resume"/> and a checkpoint in the run folder: loads it and checks that the options
    /// continue the same run (schedule, peak rate, warm-up, batch, seed and the schedule's total length; a different
    /// --epochs only with <see cref="TrainOptions.Extend"/>). Returns null when there is nothing to resume. Needs no device.
    /// </summary>
    public static Checkpoint? CheckResume(TrainOptions options, int trainImages)
    {
        string path = Path.Combine(options.OutputDirectory, "checkpoint.safetensors");
        if (!options.Resume || !File.Exists(path)) return null;
        var ckpt = Checkpoint.Load(path);
        var m = ckpt.Metadata;
        int train = options.LimitTrainImages > 0 ? Math.Min(options.LimitTrainImages, trainImages) : trainImages;
        long stepsPerEpoch = train / Math.Max(1, options.BatchSize);
        void Same(string key, string option, string asked)
        {
            if (m.TryGetValue(key, out var was) && was != asked)
                throw new Edge.UsageException($"--resume continues the run in {options.OutputDirectory}, which used {option} {was}; got {option} {asked}. Pass {option} {was} (or start a new run in another --out).");
        }
        Same("schedule", "--schedule", options.Schedule);
        Same("lr", "--lr", options.LearningRate.ToString(CultureInfo.InvariantCulture));
        Same("batch_size", "--batch", options.BatchSize.ToString(CultureInfo.InvariantCulture));
        Same("warmup_epochs", "--warmup", options.WarmupEpochs.ToString(CultureInfo.InvariantCulture));
        Same("seed_option", "--seed", options.Seed.ToString(CultureInfo.InvariantCulture));
        Same("train_images", "--limit-train (training images)", train.ToString(CultureInfo.InvariantCulture));
        if (m.TryGetValue("epochs", out var epochs) && epochs != options.Epochs.ToString(CultureInfo.InvariantCulture) && !options.Extend)
            throw new Edge.UsageException($"--resume continues the run in {options.OutputDirectory}, planned for {epochs} epochs (its learning-rate schedule spans " +
                $"{(m.TryGetValue("total_steps", out var t) ? t : "?")} steps); got --epochs {options.Epochs}. Pass --epochs {epochs} to finish it, or add --extend to " +
                $"re-plan the schedule for {options.Epochs} epochs from step {ckpt.Step} on.");
        if (ckpt.Epoch > options.Epochs)
            throw new Edge.UsageException($"--resume: the run in {options.OutputDirectory} has already trained {ckpt.Epoch} epochs, more than --epochs {options.Epochs}.");
        if (!m.ContainsKey("total_steps"))
            ckpt = ckpt.WithNote($"{path} does not store its schedule's length (an older checkpoint); resuming as if it was planned for --epochs {options.Epochs} ({options.Epochs * stepsPerEpoch} steps).");
        return ckpt;
    }

    /// <summary>Images one rank trains on per optimizer step (its micro-batches).</summary>
    int LocalBatch => _options.BatchSize * _options.Accumulate;

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
            ["accumulate"] = _options.Accumulate.ToString(CultureInfo.InvariantCulture),
            ["ranks"] = (_reducer?.WorldSize ?? 1).ToString(CultureInfo.InvariantCulture),
            ["sync_bn"] = _options.SyncBatchNorm ? "true" : "false",
            ["epochs"] = _options.Epochs.ToString(CultureInfo.InvariantCulture),
            // The schedule's plan, so --resume continues this very run (Trainer.CheckResume).
            ["total_steps"] = ((long)StepsPerEpoch * _options.Epochs).ToString(CultureInfo.InvariantCulture),
            ["warmup_epochs"] = _options.WarmupEpochs.ToString(CultureInfo.InvariantCulture),
            ["seed_option"] = _options.Seed.ToString(CultureInfo.InvariantCulture),
            ["train_images"] = _train.Count.ToString(CultureInfo.InvariantCulture),
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
