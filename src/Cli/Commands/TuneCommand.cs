using System.CommandLine;
using Spectre.Console;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Models;
using VkResNet.Graph.Training;
using VkResNet.Graph.Tuning;

namespace VkResNet.Cli.Commands;

/// <summary>
/// <c>vkresnet tune MODEL [--batch N] [--train] [--force] [--budget S]</c>: chooses every conv kernel of a model's graph
/// by measurement ahead of time, into the tuning cache beside the pipeline cache, so later runs tune nothing. Its defaults
/// are those of the runs it prepares: with --train, train's (Fashion-MNIST's 1x28x28, batch 128, and the evaluation graph
/// train compiles beside the step); without, bench's batch-1 inference (3x224x224 for ImageNet models, else 1x28x28).
/// </summary>
public static class TuneCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "resnet18/34/50/101/152, resnet20/32/44/56/110/1202, plainN" };
        var input = new Option<string?>("--input") { Description = "Input CxHxW (default: what the run uses: with --train, train's Fashion-MNIST 1x28x28; else bench's, 3x224x224 for ImageNet models, 1x28x28 for CIFAR-style)" };
        var classes = new Option<int?>("--classes") { Description = "Number of classes (default 10, 1000 for ImageNet models without --train)" };
        var batch = new Option<int?>("--batch", "-b") { Description = $"Batch size (default {new TrainOptions().BatchSize} with --train, as train's; else 1)" };
        var evalBatch = new Option<int?>("--eval-batch") { Description = $"With --train: batch of the evaluation graph train compiles too (default {new TrainOptions().EvalBatchSize}, train's; a smaller test set evaluates in one batch of its size)" };
        var train = new Option<bool>("--train") { Description = "Tune what train compiles (the training step, and the evaluation graph) instead of inference" };
        var force = new Option<bool>("--force") { Description = "Measure every key again, even those already in the cache" };
        var budget = new Option<double?>("--budget") { Description = $"Seconds the tuning may take (default: VKRESNET_TUNE_BUDGET_S, else {TuningOptions.DefaultBudget.TotalSeconds:F0})" };
        var cmd = new Command("tune", "Choose a model's conv kernels by measurement on the device and cache the choices");
        cmd.Arguments.Add(model);
        foreach (var o in new Option[] { input, classes, batch, evalBatch, train, force, budget }) cmd.Options.Add(o);
        var device = cmd.AddDeviceOptions();
        cmd.SetAction(r =>
        {
            bool training = r.GetValue(train);
            int n = r.GetValue(batch) ?? (training ? new TrainOptions().BatchSize : 1);
            if (n <= 0) throw new UserInputException($"--batch: {n} is not a positive batch size.");
            int? evalN = r.GetValue(evalBatch);
            if (evalN is not null && !training) throw new UserInputException("--eval-batch only goes with --train.");
            if (evalN <= 0) throw new UserInputException($"--eval-batch: {evalN} is not a positive batch size.");
            var tuning = CommonOptions.Tuning() with { Mode = TuneMode.Full, Retune = r.GetValue(force) };
            if (r.GetValue(budget) is double seconds)
                tuning = tuning with { Budget = seconds > 0 && seconds <= 86400 ? TimeSpan.FromSeconds(seconds) : throw new UserInputException($"--budget: {seconds} is not a number of seconds in (0, 86400].") };
            string name = r.GetValue(model)!;
            var (c, h, w, k) = training ? TrainCommand.DefaultInput : BenchCommand.DefaultInput(name);
            var spec = SummaryCommand.Resolve(name, r.GetValue(input) ?? $"{c}x{h}x{w}", r.GetValue(classes) ?? k, null);
            // The graphs the prepared run compiles: train's step and its evaluation graph (unfolded BN), or bench's inference.
            int e = evalN ?? new TrainOptions().EvalBatchSize;
            var graphs = training
                ? new[] { ($"training batch {n}", ResNetBuilder.Build(spec, n, ResNetMode.Train)),
                          ($"evaluation batch {e}", ResNetBuilder.Build(spec, e, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: false))) }
                : new[] { ($"inference batch {n}", ResNetBuilder.Build(spec, n, ResNetMode.Infer)) };
            using var open = device.Open(r);
            var dev = open.Device;
            AnsiConsole.MarkupLine($"[bold]device[/] {Markup.Escape(dev.Info.Line)}");
            foreach (var (what, built) in graphs)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                using var graph = CompiledGraph.Compile(dev, built.Graph, CommonOptions.Compile() with { Tuning = tuning });
                KernelReport.Print(graph, Console.Out);
                Console.WriteLine($"{spec.Name} {spec.InputChannels}x{spec.InputHeight}x{spec.InputWidth} {what}: compiled and tuned in {clock.Elapsed.TotalSeconds:F1} s");
            }
            open.Finish();
            return 0;
        });
        return cmd;
    }
}
