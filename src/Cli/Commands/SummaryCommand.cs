using System.CommandLine;
using Spectre.Console;
using VkResNet.Graph.Models;
using VkResNet.Graph.Training;

namespace VkResNet.Cli.Commands;

/// <summary><c>vkresnet summary MODEL [--input CxHxW] [--classes K]</c>: per-stage shapes, parameters and multiply-adds.</summary>
public static class SummaryCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("model") { Description = "resnet18/34/50/101/152, resnet20/32/44/56/110/1202, plainN" };
        var input = new Option<string?>("--input") { Description = "Input CxHxW (default 3x224x224 for ImageNet models, 3x32x32 for CIFAR-style)" };
        var classes = new Option<int?>("--classes") { Description = "Number of classes (default 1000 ImageNet, 10 CIFAR-style)" };
        var shortcut = new Option<string?>("--shortcut") { Description = "Shortcut option A, B or C (default A for CIFAR-style, B for ImageNet)" };
        var cmd = new Command("summary", "Print a model's per-stage output shapes, parameter counts and multiply-adds");
        cmd.Arguments.Add(model);
        cmd.Options.Add(input);
        cmd.Options.Add(classes);
        cmd.Options.Add(shortcut);
        var json = JsonOutput.AddTo(cmd, "Print the summary as JSON");
        cmd.SetAction(r => Run(r.GetValue(model)!, r.GetValue(input), r.GetValue(classes), r.GetValue(shortcut), r.GetValue(json)));
        return cmd;
    }

    public static ResNetSpec Resolve(string model, string? input, int? classes, string? shortcut)
    {
        bool imagenet = ModelCatalog.IsImageNet(model);
        var (c, h, w) = input is null ? (3, imagenet ? 224 : 32, imagenet ? 224 : 32) : ParseInput(input);
        try
        {
            return ModelCatalog.Resolve(model, c, h, w, classes ?? (imagenet ? 1000 : 10), ParseShortcut(shortcut));
        }
        catch (ArgumentException e)
        {
            throw new UserInputException(e.Message);
        }
    }

    public static (int, int, int) ParseInput(string s)
    {
        var parts = s.ToLowerInvariant().Split('x');
        if (parts.Length == 3 && parts.All(p => int.TryParse(p, out int v) && v > 0))
            return (int.Parse(parts[0]), int.Parse(parts[1]), int.Parse(parts[2]));
        throw new UserInputException($"--input \"{s}\" is not CxHxW (e.g. 3x224x224).");
    }

    public static ShortcutOption? ParseShortcut(string? s) => s?.ToUpperInvariant() switch
    {
        null => null,
        "A" => ShortcutOption.A,
        "B" => ShortcutOption.B,
        "C" => ShortcutOption.C,
        _ => throw new UserInputException($"--shortcut {s}: use A (zero padding), B (projection where dimensions grow) or C (all projections)."),
    };

    static int Run(string model, string? input, int? classes, string? shortcut, bool json)
    {
        var spec = Resolve(model, input, classes, shortcut);
        var summary = ModelSummary.Of(spec);
        if (json)
        {
            JsonOutput.Write(new
            {
                model = spec.Name, input = $"{spec.InputChannels}x{spec.InputHeight}x{spec.InputWidth}", classes = spec.Classes, shortcut = spec.Shortcut.ToString(),
                plain = spec.Plain, parameters = summary.Parameters, macsPerImage = summary.MacsPerImage,
                stages = summary.Stages.Select(s => new { stage = s.Stage, output = s.OutputShape?.ToString(), parameters = s.Parameters, macsPerImage = s.MacsPerImage }).ToArray(),
            });
            return 0;
        }
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"[bold]{Markup.Escape(spec.Name)}[/] ({spec.InputChannels}x{spec.InputHeight}x{spec.InputWidth}, {spec.Classes} classes, shortcut {spec.Shortcut}{(spec.Plain ? ", plain" : "")})")
            .AddColumn("stage").AddColumn("output").AddColumn(new TableColumn("parameters").RightAligned()).AddColumn(new TableColumn("multiply-adds").RightAligned());
        foreach (var s in summary.Stages)
            table.AddRow(Markup.Escape(s.Stage), Markup.Escape(s.OutputShape?.ToString() ?? "-"), s.Parameters.ToString("N0"), FormatMacs(s.MacsPerImage));
        table.AddRow("[bold]total[/]", "", $"[bold]{summary.Parameters:N0}[/]", $"[bold]{FormatMacs(summary.MacsPerImage)}[/]");
        AnsiConsole.Write(table);
        return 0;
    }

    static string FormatMacs(long macs) => macs >= 1e9 ? $"{macs / 1e9:F2} G" : macs >= 1e6 ? $"{macs / 1e6:F1} M" : $"{macs:N0}";
}
