using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using VkResNet.Graph.Reporting;
using VkResNet.Graph.Training;

namespace VkResNet.Cli.Commands;

/// <summary>
/// <c>vkresnet experiment degradation</c>: the paper's Figure 1/6 experiment. Plain-N and ResNet-N at
/// two depths trained with one recipe; their loss, training-error (thin, dashed) and test-error (bold)
/// curves and the shared learning rate drawn in one SVG by the same code as each run's curves.svg. Expected shape: the deeper plain net trains worse than the shallower
/// one, the deeper residual net better.
/// </summary>
public static class ExperimentCommand
{
    public static Command Create()
    {
        var degradation = new Command("degradation", "Train plain-N and ResNet-N at two depths with one recipe and plot their error curves together");
        var depths = new Option<string>("--depths") { Description = "Comma-separated CIFAR-style depths (6n+2)", DefaultValueFactory = _ => "20,56" };
        var epochs = new Option<int>("--epochs", "-e") { Description = "Epochs per model", DefaultValueFactory = _ => 2 };
        var batch = new Option<int>("--batch", "-b") { Description = "Batch size", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "Peak learning rate", DefaultValueFactory = _ => 0.1 };
        var schedule = new Option<string>("--schedule") { Description = "Learning-rate schedule", DefaultValueFactory = _ => "onecycle" };
        var limitTrain = new Option<int>("--limit-train") { Description = "Use only the first N training images (the budget)" };
        var limitTest = new Option<int>("--limit-test") { Description = "Use only the first N test images" };
        var output = new Option<string>("--out", "-o") { Description = "Folder for each run and degradation.svg", DefaultValueFactory = _ => "runs/degradation" };
        var data = new DataOptions();
        foreach (var o in new Option[] { depths, epochs, batch, lr, schedule, limitTrain, limitTest, output }) degradation.Options.Add(o);
        data.AddTo(degradation);
        var device = degradation.AddDeviceOptions();
        degradation.SetAction(r =>
        {
            var ds = r.GetValue(depths)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(d => int.TryParse(d, out int v) && v >= 8 && (v - 2) % 6 == 0 ? v : throw new UserInputException($"--depths: {d} is not a 6n+2 depth (20, 32, 44, 56, 110...)."))
                .ToArray();
            var recipe = new TrainOptions
            {
                Epochs = r.GetValue(epochs), BatchSize = r.GetValue(batch), LearningRate = r.GetValue(lr), Schedule = r.GetValue(schedule)!,
                LimitTrainImages = r.GetValue(limitTrain), LimitTestImages = r.GetValue(limitTest),
            };
            return Run(ds, recipe, r.GetValue(output)!, r.GetValue(data.Kind)!, r.GetValue(data.Directory), device.SelectorOf(r), device.ValidationOf(r));
        });
        var cmd = new Command("experiment", "Reproduce the paper's experiments");
        cmd.Subcommands.Add(degradation);
        return cmd;
    }

    static int Run(int[] depths, TrainOptions recipe, string outDir, string dataKind, string? dataDir, string? deviceSelector, bool validation)
    {
        var (train, test) = DataOptions.Load(dataKind, dataDir);
        var tuning = CommonOptions.Tuning();
        using var open = OpenDevice.Create(deviceSelector, validation);
        var device = open.Device;
        AnsiConsole.MarkupLine($"[bold]device[/] {Markup.Escape(device.Info.Line)}");
        var runs = new List<TrainingCurves.Run>();
        string[] colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
        var summary = new Table().Border(TableBorder.Rounded).AddColumn("model").AddColumn("final train error").AddColumn("test error").AddColumn("seconds");
        int color = 0;
        foreach (string family in new[] { "plain", "resnet" })
            foreach (int depth in depths)
            {
                string name = $"{family}{depth}";
                var options = recipe with { Model = name, OutputDirectory = Path.Combine(outDir, name) };
                using var trainer = new Trainer(device, options, train, test, tuning, compile: CommonOptions.Compile());
                AnsiConsole.MarkupLine($"training [bold]{name}[/] ({options.Epochs} epochs x {trainer.StepsPerEpoch} steps)...");
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var results = trainer.Run();
                runs.Add(new TrainingCurves.Run(name, MetricsCsv.Read(trainer.MetricsPath), colors[color++ % colors.Length]));
                var last = results[^1];
                summary.AddRow(name, $"{100 * last.TrainError:F2}%", $"{100 * last.TestError:F2}%", clock.Elapsed.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture));
            }
        Directory.CreateDirectory(outDir);
        string svg = Path.Combine(outDir, "degradation.svg");
        TrainingCurves.Build($"Degradation on {train.Name}: plain vs residual (thin dashed: train, bold: test)", runs).Save(svg);
        AnsiConsole.Write(summary);
        AnsiConsole.MarkupLine($"wrote {Markup.Escape(svg)}");
        open.Finish();
        return 0;
    }
}
