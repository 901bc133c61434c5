using System.CommandLine;
using Spectre.Console;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Models;
using VkResNet.Graph.Edge;

namespace VkResNet.Cli.Commands;

/// <summary>
/// <c>vkresnet graph MODEL [--train] [--batch N] [--dot FILE] [--kernels]</c>: the compiled plan — passes, barriers, memory — without
/// a GPU; with --device or --validation it also compiles the plan on that device and reports what was recorded; with --kernels,
/// the graph is compiled on the device and each conv pass's chosen candidate and the times measured are listed.
/// </summary>
public static class GraphCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "resnet18/34/50/101/152, resnet20/32/44/56/110/1202, plainN" };
        var input = new Option<string?>("--input") { Description = "Input CxHxW (default 3x224x224 for ImageNet models, 3x32x32 for CIFAR-style)" };
        var classes = new Option<int?>("--classes") { Description = "Number of classes" };
        var batch = new Option<int>("--batch", "-b") { Description = "Batch size", DefaultValueFactory = _ => 1 };
        var train = new Option<bool>("--train") { Description = "The training graph (forward, loss, backward, SGD) instead of inference" };
        var noOptimize = new Option<bool>("--no-optimize") { Description = "Inference without BN folding and epilogue fusion" };
        var dot = new Option<string?>("--dot") { Description = "Write Graphviz of the plan (passes, barriers, arena offsets) to this file" };
        var kernels = new Option<bool>("--kernels") { Description = "Compile on the device (tuning per VKRESNET_TUNE) and list each conv pass's chosen kernel and the times measured" };
        var cmd = new Command("graph", "Compile a model's frame graph and report passes, barriers and memory (Graphviz with --dot)");
        cmd.Arguments.Add(model);
        foreach (var o in new Option[] { input, classes, batch, train, noOptimize, dot, kernels }) cmd.Options.Add(o);
        var device = cmd.AddDeviceOptions();
        device.Device.Description += "; graph plans without a device unless this or --validation is given, then also compiles on it";
        cmd.SetAction(r =>
        {
            if (r.GetValue(batch) < 1) throw UsageException.OutOfRange("--batch", r.GetValue(batch), "at least 1 image");
            var spec = SummaryCommand.Resolve(r.GetValue(model)!, r.GetValue(input), r.GetValue(classes), null);
            var built = ResNetBuilder.Build(spec, r.GetValue(batch), r.GetValue(train) ? ResNetMode.Train : ResNetMode.Infer,
                new ResNetBuildOptions(OptimizeInference: !r.GetValue(noOptimize)));
            var plan = GraphCompiler.Plan(built.Graph, new PlanOptions(FullBarriers: CommonOptions.Switches.FullBarriers));
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(spec.Name)}[/] {(r.GetValue(train) ? "training" : "inference")} batch {r.GetValue(batch)}: " +
                $"{plan.Passes.Count} passes, {plan.BarrierCount} barriers between passes and {plan.Edges.Count} at the step's edges, {plan.DroppedOps.Count} dropped" +
                (device.Given(r) ? "" : " (before kernel choice: compiled on a --device, scratch use and multi-dispatch steps are planned too)"));
            Console.WriteLine(plan.Memory.ToString());
            if (device.Given(r) && !r.GetValue(kernels))
            {
                using var open = device.Open(r);
                using var compiled = VkResNet.Graph.Execution.CompiledGraph.Compile(open.Device, built.Graph, CommonOptions.Compile() with { Tuning = Graph.Tuning.TuningOptions.Off });
                AnsiConsole.MarkupLine($"compiled on {Markup.Escape(open.Device.Info.Line)}: {compiled.RecordingSummary}");
                open.Finish();
            }
            if (r.GetValue(dot) is string path)
            {
                File.WriteAllText(path, PlanDot.Write(plan));
                AnsiConsole.MarkupLine($"wrote {Markup.Escape(path)} (render with: dot -Tsvg {Markup.Escape(path)} -o plan.svg)");
            }
            if (r.GetValue(kernels))
            {
                var tuning = CommonOptions.Tuning();
                using var open = device.Open(r);
                Console.WriteLine($"device {open.Device.Info.Line}");
                using var graph = CompiledGraph.Compile(open.Device, built.Graph, CommonOptions.Compile() with { Tuning = tuning }, plan);
                KernelReport.Print(graph, Console.Out);
                AnsiConsole.MarkupLine($"compiled on {Markup.Escape(open.Device.Info.Line)}: {graph.RecordingSummary}");
                open.Finish();
            }
            return 0;
        });
        return cmd;
    }
}
