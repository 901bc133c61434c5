using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using VkResNet.Graph.Data;
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
        var batch = new Option<int>("--batch", "-b") { Description = "Batch size", DefaultValueFactory = _ => 128 };
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
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in --out" };
        var limitTrain = new Option<int>("--limit-train") { Description = "Use only the first N training images (quick runs)" };
        var limitTest = new Option<int>("--limit-test") { Description = "Use only the first N test images" };
        var metricsEvery = new Option<int>("--metrics-every") { Description = "A metrics.csv row every N steps (default: about 50 per epoch)" };
        var data = new DataOptions();
        var cmd = new Command("train", "Train a ResNet (default: ResNet-20 on Fashion-MNIST, 3 epochs)");
        foreach (var o in new Option[] { model, shortcut, epochs, batch, lr, schedule, warmup, momentum, wd, nesterov, smoothing, augment, seed, output, resume, limitTrain, limitTest, metricsEvery })
            cmd.Options.Add(o);
        data.AddTo(cmd);
        var device = cmd.AddDeviceOptions();
        cmd.SetAction(r =>
        {
            var options = new TrainOptions
            {
                Model = r.GetValue(model)!, Shortcut = SummaryCommand.ParseShortcut(r.GetValue(shortcut)),
                Epochs = Positive(r.GetValue(epochs), "--epochs"), BatchSize = Positive(r.GetValue(batch), "--batch"),
                LearningRate = r.GetValue(lr), Schedule = r.GetValue(schedule)!, WarmupEpochs = r.GetValue(warmup),
                Momentum = r.GetValue(momentum), WeightDecay = r.GetValue(wd), Nesterov = r.GetValue(nesterov),
                LabelSmoothing = r.GetValue(smoothing), Augmentation = r.GetValue(augment) ? Augmentation.Standard : Augmentation.None,
                Seed = r.GetValue(seed), OutputDirectory = r.GetValue(output)!, Resume = r.GetValue(resume),
                LimitTrainImages = r.GetValue(limitTrain), LimitTestImages = r.GetValue(limitTest),
                MetricsEvery = r.GetValue(metricsEvery) >= 0 ? r.GetValue(metricsEvery) : throw new UserInputException($"--metrics-every must be 0 (about 50 rows per epoch) or positive (got {r.GetValue(metricsEvery)})."),
            };
            return Run(options, r.GetValue(data.Kind)!, r.GetValue(data.Directory), device.SelectorOf(r), device.ValidationOf(r));
        });
        return cmd;
    }

    static int Positive(int v, string name) => v > 0 ? v : throw new UserInputException($"{name} must be positive (got {v}).");

    static int Run(TrainOptions options, string dataKind, string? dataDir, string? deviceSelector, bool validation)
    {
        var (train, test) = DataOptions.Load(dataKind, dataDir);
        using var open = OpenDevice.Create(deviceSelector, validation);
        var device = open.Device;
        AnsiConsole.MarkupLine($"[bold]device[/]  {Markup.Escape(device.Info.Line)}");
        var compileClock = System.Diagnostics.Stopwatch.StartNew();
        Trainer trainer;
        try { trainer = new Trainer(device, options, train, test); }
        catch (ArgumentException e) { throw new UserInputException(e.Message); }
        using var _ = trainer;
        AnsiConsole.MarkupLine($"[bold]data[/]    {Markup.Escape(train.Name)}: {Used(trainer.TrainSet.Count, train.Count)} train / {Used(trainer.TestSet.Count, test.Count)} test, " +
            $"{train.Channels}x{train.Height}x{train.Width}, {train.ClassCount} classes; a metrics.csv row every {(trainer.MetricsEvery == 1 ? "step" : $"{trainer.MetricsEvery} steps")}");
        AnsiConsole.MarkupLine($"[bold]model[/]   {trainer.Spec.Name} ({trainer.Spec.Shortcut} shortcuts{(trainer.Spec.Plain ? ", plain" : "")}), batch {options.BatchSize}, " +
            $"{options.Epochs} epochs x {trainer.StepsPerEpoch} steps, {options.Schedule} lr {options.LearningRate.ToString(CultureInfo.InvariantCulture)}");
        AnsiConsole.MarkupLine($"[bold]compiled[/] {trainer.Step.Dispatches} dispatches, {trainer.Step.Barriers} barriers, arena {trainer.Step.Plan.ArenaBytes / 1048576.0:F1} MiB in {compileClock.Elapsed.TotalSeconds:F1} s");

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
        AnsiConsole.MarkupLine($"[bold]files[/]   {Markup.Escape(trainer.CheckpointPath)}, {Markup.Escape(trainer.MetricsPath)}, {Markup.Escape(trainer.PlotPath)}");
        open.Finish();
        return 0;
    }

    static string Used(int used, int all) => used == all ? $"{all:N0}" : $"{used:N0} of {all:N0}";

    static void PrintEpoch(EpochResult e) => AnsiConsole.MarkupLine(
        $"epoch {e.Epoch}: train loss {e.TrainLoss:F4} error {100 * e.TrainError:F2}% | test loss {e.TestLoss:F4} error {100 * e.TestError:F2}% | " +
        $"{e.ImagesPerSecond:F0} images/s, {e.Seconds:F0} s");
}
