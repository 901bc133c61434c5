using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using VkResNet.Graph.Data;
using VkResNet.Graph.Edge;
using VkResNet.Graph.Training;

namespace VkResNet.Cli.Commands;

/// <summary>
/// <c>vkresnet train</c>: the main job. Defaults train ResNet-20 (option A) on Fashion-MNIST for three
/// epochs with SGD (momentum 0.9, weight decay 1e-4) and a one-cycle learning rate peaking at 0.1.
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Model: resnet20 (default), resnet32/44/56/110/1202, resnet18/34/50/101/152, plainN", DefaultValueFactory = _ => "resnet20" };
        var shortcut = new Option<string?>("--shortcut") { Description = "Shortcut option A, B or C (default A for CIFAR-style, B for ImageNet models)" };
        var epochs = new Option<int>("--epochs", "-e") { Description = "Epochs", DefaultValueFactory = _ => new TrainOptions().Epochs };
        var batch = new Option<int>("--batch", "-b") { Description = "Batch size", DefaultValueFactory = _ => new TrainOptions().BatchSize };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate", DefaultValueFactory = _ => 0.1 };
        var schedule = new Option<string>("--schedule") { Description = "Learning-rate schedule: onecycle, step (/10 at 50% and 75%, the paper's), cosine, constant", DefaultValueFactory = _ => "onecycle" };
        var warmup = new Option<int>("--warmup") { Description = "Epochs of linear warm-up", DefaultValueFactory = _ => 0 };
        var momentum = new Option<float>("--momentum") { Description = "SGD momentum", DefaultValueFactory = _ => 0.9f };
        var wd = new Option<float>("--weight-decay") { Description = "Weight decay", DefaultValueFactory = _ => 1e-4f };
        var nesterov = new Option<bool>("--nesterov") { Description = "Nesterov momentum" };
        var smoothing = new Option<float>("--label-smoothing") { Description = "Label smoothing epsilon", DefaultValueFactory = _ => 0f };
        var augment = new Option<bool>("--augment") { Description = "Random crop and horizontal flip (crop padding 4 on CIFAR-10, 2 on Fashion-MNIST, 1/8 of the side on image folders; MNIST: none)" };
        var seed = new Option<int>("--seed") { Description = "Random seed (initialisation, shuffling, augmentation)", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out", "-o") { Description = "Run folder for checkpoint.safetensors, metrics.csv and curves.svg", DefaultValueFactory = _ => "runs/latest" };
        var resume = new Option<bool>("--resume") { Description = "Continue the run in --out from its checkpoint: same recipe, same schedule (bit-identical to an uninterrupted run)" };
        var extend = new Option<bool>("--extend") { Description = "With --resume: allow another --epochs; the schedule is re-planned for the new length and continues at the step reached" };
        var limitTrain = new Option<int?>("--limit-train") { Description = "Use only the first N training images (quick runs; N >= 1)" };
        var limitTest = new Option<int?>("--limit-test") { Description = "Use only the first N test images (N >= 1)" };
        var metricsEvery = new Option<int>("--metrics-every") { Description = "A metrics.csv row every N steps (default: about 50 per epoch)" };
        var data = new DataOptions();
        var parallel = new DistributedOptions();

        var cmd = new Command("train", "Train a ResNet (default: ResNet-20 on Fashion-MNIST, 3 epochs)");
        foreach (var o in new Option[] { model, shortcut, epochs, batch, lr, schedule, warmup, momentum, wd, nesterov, smoothing, augment, seed, output, resume, extend, limitTrain, limitTest, metricsEvery })
            cmd.Options.Add(o);
        data.AddTo(cmd);
        parallel.AddTo(cmd);
        var device = cmd.AddDeviceOptions();
        cmd.SetAction(r =>
        {
            var options = new TrainOptions
            {
                Model = r.GetValue(model)!, Shortcut = SummaryCommand.ParseShortcut(r.GetValue(shortcut)),
                Epochs = r.GetValue(epochs), BatchSize = r.GetValue(batch),
                LearningRate = r.GetValue(lr), Schedule = r.GetValue(schedule)!, WarmupEpochs = r.GetValue(warmup),
                Momentum = r.GetValue(momentum), WeightDecay = r.GetValue(wd), Nesterov = r.GetValue(nesterov),
                LabelSmoothing = r.GetValue(smoothing), Augmentation = r.GetValue(augment) ? Augmentation.Standard : Augmentation.None,
                Seed = r.GetValue(seed), OutputDirectory = r.GetValue(output)!, Resume = r.GetValue(resume), Extend = r.GetValue(extend),
                LimitTrainImages = AtLeastOne(r.GetValue(limitTrain), "--limit-train"), LimitTestImages = AtLeastOne(r.GetValue(limitTest), "--limit-test"),
                MetricsEvery = r.GetValue(metricsEvery) >= 0 ? r.GetValue(metricsEvery) : throw UsageException.OutOfRange("--metrics-every", r.GetValue(metricsEvery), "0 (about 50 rows per epoch) or a positive number of steps"),
            };
            Validate(options);
            options = parallel.Apply(r, options);
            var reducer = parallel.Start(r);
            options = parallel.ScaleLearningRate(r, options, reducer);
            return DistributedOptions.Guard(reducer, () => Run(options, r.GetValue(data.Kind)!, r.GetValue(data.Directory), device.SelectorOf(r), device.ValidationOf(r), reducer));
        });
        return cmd;
    }

    /// <summary>The input of train's default data set, Fashion-MNIST: 1x28x28, 10 classes.</summary>
    public static readonly (int C, int H, int W, int Classes) DefaultInput = (1, 28, 28, 10);

    /// <summary>The largest training batch (larger ones exceed dispatch limits on common devices).</summary>
    public const int MaxBatch = 1024;

    static int AtLeastOne(int? v, string name) => v switch
    {
        null => 0,  // not given: every image
        >= 1 => v.Value,
        _ => throw UsageException.OutOfRange(name, v, "at least 1 image (leave it out for the whole set)"),
    };

    /// <summary>Every numeric option against its range, before any file or device is touched.</summary>
    static void Validate(TrainOptions o)
    {
        static void Check(bool ok, string option, object value, string allowed) { if (!ok) throw UsageException.OutOfRange(option, value, allowed); }
        Check(o.Epochs is >= 1 and <= 100_000, "--epochs", o.Epochs, "1 to 100000");
        Check(o.BatchSize is >= 1 and <= MaxBatch, "--batch", o.BatchSize, $"1 to {MaxBatch}");
        Check(double.IsFinite(o.LearningRate) && o.LearningRate > 0 && o.LearningRate <= 10, "--lr", o.LearningRate, "a finite rate in (0, 10]");
        Check(o.WarmupEpochs >= 0 && o.WarmupEpochs <= o.Epochs, "--warmup", o.WarmupEpochs, $"0 to --epochs ({o.Epochs})");
        Check(float.IsFinite(o.Momentum) && o.Momentum is >= 0 and < 1, "--momentum", o.Momentum, "0 <= momentum < 1");
        Check(float.IsFinite(o.WeightDecay) && o.WeightDecay is >= 0 and < 1, "--weight-decay", o.WeightDecay, "0 <= decay < 1");
        Check(float.IsFinite(o.LabelSmoothing) && o.LabelSmoothing is >= 0 and < 1, "--label-smoothing", o.LabelSmoothing, "0 <= epsilon < 1");
        if (o.Extend && !o.Resume) throw new UserInputException("--extend only goes with --resume.");
        try { LearningRateSchedule.Parse(o.Schedule, o.LearningRate); }
        catch (ArgumentException e) { throw new UserInputException(e.Message); }
    }

    static int Run(TrainOptions options, string dataKind, string? dataDir, string? deviceSelector, bool validation, IGradientReducer? reducer)
    {
        var tuning = CommonOptions.Tuning();
        var (train, test) = DataOptions.Load(dataKind, dataDir);
        // The model name, the data set size, the run folder and a checkpoint to resume: all before any device work.
        try { ModelCatalog.Resolve(options.Model, train.Channels, train.Height, train.Width, train.ClassCount, options.Shortcut); }
        catch (ArgumentException e) { throw new UserInputException(e.Message); }
        int trainImages = options.LimitTrainImages > 0 ? Math.Min(options.LimitTrainImages, train.Count) : train.Count;
        if (trainImages < options.BatchSize)
            throw new UserInputException($"--batch {options.BatchSize} is larger than the {trainImages} training images; use a smaller --batch or a larger --limit-train.");
        // Rank 0 alone owns the run folder (a follower's folder may be another host's, or the same one).
        bool finished = false;
        if (reducer == null || reducer.Rank == 0)
        {
            Graph.IO.AtomicFile.EnsureWritableFolder(options.OutputDirectory);
            var stale = Trainer.RemoveStaleTempFiles(options.OutputDirectory);
            if (stale.Count > 0)
                AnsiConsole.MarkupLine($"[yellow]cleaned[/] {stale.Count} temp file(s) a killed run left in {Markup.Escape(options.OutputDirectory)}: {Markup.Escape(string.Join(", ", stale))}");
            var resumed = Trainer.CheckResume(options, train.Count);
            if (resumed != null)
            {
                AnsiConsole.MarkupLine($"[bold]resume[/]  {Markup.Escape(options.OutputDirectory)} at epoch {resumed.Epoch}, step {resumed.Step}");
                foreach (string note in resumed.Notes) AnsiConsole.MarkupLine($"[yellow]note[/]    {Markup.Escape(note)}");
                if (resumed.Epoch == options.Epochs)
                {
                    AnsiConsole.MarkupLine($"[bold green]done[/]    the run finished its {options.Epochs} epochs before; nothing to resume ({Markup.Escape(Path.Combine(options.OutputDirectory, "checkpoint.safetensors"))}).");
                    finished = true;
                }
            }
        }
        // Every rank learns rank 0's verdict before any device work, so a finished run ends on all ranks at once (exit 0)
        // instead of leaving the followers waiting for rank 0 until --rank-timeout.
        if (reducer != null) finished = DistributedOptions.AgreeOnRoot(reducer, finished);
        if (finished) return 0;
        using var open = OpenDevice.Create(deviceSelector, validation, c => DistributedOptions.DeviceFor(reducer, deviceSelector, c.Devices.Count));
        var device = open.Device;
        if (reducer != null && reducer.Rank != 0)
            return RunFollower(options, train, test, device, open.Context, validation, reducer, tuning);
        if (reducer != null)
            AnsiConsole.MarkupLine($"[bold]ranks[/]   {reducer.WorldSize} over MPI, global batch {options.BatchSize * options.Accumulate * reducer.WorldSize} " +
                $"({options.BatchSize} x {options.Accumulate} micro-batches x {reducer.WorldSize} ranks); rank 0 writes the outputs" +
                (options.SyncBatchNorm ? $"; --sync-bn: BN statistics over every rank's {options.BatchSize} images" : ""));
        AnsiConsole.MarkupLine($"[bold]device[/]  {Markup.Escape(device.Info.Line)}");
        var compileClock = System.Diagnostics.Stopwatch.StartNew();
        Trainer trainer;
        try { trainer = new Trainer(device, options, train, test, tuning, reducer, CommonOptions.Compile()); }
        catch (ArgumentException e) { throw new UserInputException(e.Message); }
        using var _ = trainer;
        AnsiConsole.MarkupLine($"[bold]data[/]    {Markup.Escape(train.Name)}: {Used(trainer.TrainSet.Count, train.Count)} train / {Used(trainer.TestSet.Count, test.Count)} test, " +
            $"{train.Channels}x{train.Height}x{train.Width}, {train.ClassCount} classes; a metrics.csv row every {(trainer.MetricsEvery == 1 ? "step" : $"{trainer.MetricsEvery} steps")}");
        AnsiConsole.MarkupLine($"[bold]model[/]   {trainer.Spec.Name} ({trainer.Spec.Shortcut} shortcuts{(trainer.Spec.Plain ? ", plain" : "")}), batch {options.BatchSize}, " +
            $"{options.Epochs} epochs x {trainer.StepsPerEpoch} steps, {options.Schedule} lr {options.LearningRate.ToString(CultureInfo.InvariantCulture)}");
        AnsiConsole.MarkupLine($"[bold]compiled[/] {trainer.Step.RecordingSummary}, arena {trainer.Step.Plan.ArenaBytes / 1048576.0:F1} MiB in {compileClock.Elapsed.TotalSeconds:F1} s");
        if (trainer.Step.Kernels.Summary is { } stepTuning)
            AnsiConsole.MarkupLine($"[bold]tuning[/]  step: {Markup.Escape(stepTuning.ToString())}; evaluation: {Markup.Escape(trainer.EvaluationGraph.Kernels.Summary?.ToString() ?? "fixed rules")}");

        var runClock = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<EpochResult> results;
        try
        {
            results = ProgressView.Run((progress, epochEnded) => trainer.Run(progress, default, epochEnded), PrintEpoch);
        }
        catch (DivergedException e)
        {
            throw new UserInputException(e.Message);
        }
        var last = results.Count > 0 ? results[^1] : null;
        if (last != null)
            AnsiConsole.MarkupLine($"[bold green]done[/]    test accuracy {100 * (1 - last.TestError):F2}% (top-5 {100 * (1 - last.TestTop5Error):F2}%) in {runClock.Elapsed.TotalSeconds:F0} s");
        if (trainer.TotalStepTimes is { } t)
            DistributedOptions.PrintStepTimes(t, trainer.StepsRun, reducer != null);
        AnsiConsole.MarkupLine($"[bold]files[/]   {Markup.Escape(trainer.CheckpointPath)}, {Markup.Escape(trainer.MetricsPath)}, {Markup.Escape(trainer.PlotPath)}");
        open.Finish();
        return 0;
    }

    /// <summary>A rank other than 0: trains its shard silently (rank 0 prints and writes).</summary>
    static int RunFollower(TrainOptions options, Graph.Data.Dataset train, Graph.Data.Dataset test, Runtime.Device device,
                           Runtime.VulkanContext ctx, bool validation, IGradientReducer reducer, Graph.Tuning.TuningOptions tuning)
    {
        Console.Error.WriteLine($"vkresnet: rank {reducer.Rank} of {reducer.WorldSize} on {device.Info.Name}");
        Trainer trainer;
        // Ranks may choose different kernels: only their own gradients differ; the averaged ones, and so the weights, agree.
        try { trainer = new Trainer(device, options, train, test, tuning, reducer, CommonOptions.Compile()); }
        catch (ArgumentException e) { throw new UserInputException(e.Message); }
        using var _ = trainer;
        trainer.Run();
        if (validation) ctx.ThrowIfValidationMessages();
        return 0;
    }

    static string Used(int used, int all) => used == all ? $"{all:N0}" : $"{used:N0} of {all:N0}";

    static void PrintEpoch(EpochResult e) => AnsiConsole.MarkupLine(
        $"epoch {e.Epoch}: train loss {e.TrainLoss:F4} error {100 * e.TrainError:F2}% | test loss {e.TestLoss:F4} error {100 * e.TestError:F2}% | " +
        $"{e.ImagesPerSecond:F0} images/s, {e.Seconds:F0} s");
}
