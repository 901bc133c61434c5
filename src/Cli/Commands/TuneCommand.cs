using System.CommandLine;
using Spectre.Console;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Models;
using VkResNet.Graph.Tuning;

namespace VkResNet.Cli.Commands;

/// <summary>
/// <c>vkresnet tune MODEL [--batch N] [--train] [--force] [--budget S]</c>: chooses every conv kernel of a model's graph
/// by measurement ahead of time, into the tuning cache beside the pipeline cache, so later runs tune nothing.
/// </summary>
public static class TuneCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "resnet18/34/50/101/152, resnet20/32/44/56/110/1202, plainN" };
        var input = new Option<string?>("--input") { Description = "Input CxHxW (default 3x224x224 for ImageNet models, 3x32x32 for CIFAR-style)" };
        var classes = new Option<int?>("--classes") { Description = "Number of classes" };
        var batch = new Option<int>("--batch", "-b") { Description = "Batch size", DefaultValueFactory = _ => 1 };
        var train = new Option<bool>("--train") { Description = "Tune the training graph (forward, backward, SGD) instead of inference" };
        var force = new Option<bool>("--force") { Description = "Measure every key again, even those already in the cache" };
        var budget = new Option<double?>("--budget") { Description = $"Seconds the tuning may take (default: VKRESNET_TUNE_BUDGET_S, else {TuningOptions.DefaultBudget.TotalSeconds:F0})" };
        var cmd = new Command("tune", "Choose a model's conv kernels by measurement on the device and cache the choices");
        cmd.Arguments.Add(model);
        foreach (var o in new Option[] { input, classes, batch, train, force, budget }) cmd.Options.Add(o);
        var device = cmd.AddDeviceOptions();
        cmd.SetAction(r =>
        {
            int n = r.GetValue(batch);
            if (n <= 0) throw new UserInputException($"--batch: {n} is not a positive batch size.");
            var tuning = CommonOptions.Tuning() with { Mode = TuneMode.Full, Retune = r.GetValue(force) };
            if (r.GetValue(budget) is double seconds)
                tuning = tuning with { Budget = seconds > 0 && seconds <= 86400 ? TimeSpan.FromSeconds(seconds) : throw new UserInputException($"--budget: {seconds} is not a number of seconds in (0, 86400].") };
            var spec = SummaryCommand.Resolve(r.GetValue(model)!, r.GetValue(input), r.GetValue(classes), null);
            var built = ResNetBuilder.Build(spec, n, r.GetValue(train) ? ResNetMode.Train : ResNetMode.Infer);
            using var open = device.Open(r);
            var dev = open.Device;
            AnsiConsole.MarkupLine($"[bold]device[/] {Markup.Escape(dev.Info.Line)}");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var graph = CompiledGraph.Compile(dev, built.Graph, CommonOptions.Compile() with { Tuning = tuning });
            KernelReport.Print(graph, Console.Out);
            Console.WriteLine($"{spec.Name} {(r.GetValue(train) ? "training" : "inference")} batch {n}: compiled and tuned in {clock.Elapsed.TotalSeconds:F1} s");
            open.Finish();
            return 0;
        });
        return cmd;
    }
}
