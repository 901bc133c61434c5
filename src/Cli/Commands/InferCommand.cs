using System.CommandLine;
using Spectre.Console;
using VkResNet.Graph.Data;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Training;

using VkResNet.Graph.Edge;

namespace VkResNet.Cli.Commands;

/// <summary><c>vkresnet infer IMAGE | --index N</c>: the top-5 classes of one image with their probabilities.</summary>
public static class InferCommand
{
    public static Command Create()
    {
        var image = new Argument<string?>("image") { Description = "A PNG or PPM/PGM image (resized to the model's input)", Arity = ArgumentArity.ZeroOrOne };
        var index = new Option<int?>("--index", "-i") { Description = "Instead of an image: the N-th image of the test set" };
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "Checkpoint (from train or vkresnet-import)", DefaultValueFactory = _ => "runs/latest/checkpoint.safetensors" };
        var data = new DataOptions();
        var cmd = new Command("infer", "Classify one image and print the top-5 classes");
        cmd.Arguments.Add(image);
        foreach (var o in new Option[] { index, checkpoint }) cmd.Options.Add(o);
        data.AddTo(cmd);
        var json = JsonOutput.AddTo(cmd, "Print the top-5 classes as JSON");
        var device = cmd.AddDeviceOptions();
        cmd.SetAction(r => Run(r.GetValue(image), r.GetValue(index), r.GetValue(checkpoint)!, r.GetValue(data.Kind)!, r.GetValue(data.Directory),
            device.SelectorOf(r), device.ValidationOf(r), r.GetValue(json)));
        return cmd;
    }

    static int Run(string? imagePath, int? index, string checkpoint, string dataKind, string? dataDir, string? deviceSelector, bool validation, bool json)
    {
        if ((imagePath is null) == (index is null)) throw new UserInputException("Give an image file or --index N (not both).");
        if (!File.Exists(checkpoint)) throw new BadInputException($"No checkpoint at {checkpoint}. Train one with `vkresnet train` or import one with vkresnet-import.");
        var (ckpt, spec) = InferenceModel.Open(checkpoint);  // checksum, metadata and architecture, before any device work
        foreach (string note in ckpt.Notes) AnsiConsole.MarkupLine($"[yellow]note[/] {Markup.Escape(note)}");
        var tuning = CommonOptions.Tuning();
        using var open = OpenDevice.Create(deviceSelector, validation);
        using var model = InferenceModel.Load(open.Device, ckpt, spec, checkpoint, batch: 1, compile: CommonOptions.Compile() with { Tuning = tuning });
        byte[] pixels;
        string what;
        int? truth = null;
        if (index is int i)
        {
            var (_, test) = DataOptions.Load(dataKind, dataDir);
            if (i < 0 || i >= test.Count) throw new UserInputException($"--index {i} is outside the test set (0..{test.Count - 1}).");
            pixels = test.GetImage(i).ToArray();
            truth = test.GetLabel(i);
            what = $"{test.Name} test image {i}";
            if (test.Channels != spec.InputChannels || test.Height != spec.InputHeight || test.Width != spec.InputWidth)
                throw new BadInputException($"{checkpoint} expects {spec.InputChannels}x{spec.InputHeight}x{spec.InputWidth}; {test.Name} has {test.Channels}x{test.Height}x{test.Width}.");
        }
        else
        {
            if (!File.Exists(imagePath)) throw new BadInputException($"No image at {imagePath}.");
            pixels = ImageFolderDataset.LoadImage(imagePath!, spec.InputChannels, spec.InputHeight, spec.InputWidth);
            what = imagePath!;
        }
        model.SetImage(0, pixels);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var logits = model.Run();
        double ms = clock.Elapsed.TotalMilliseconds;
        var top = InferenceModel.TopK(logits, Math.Min(5, spec.Classes));
        string ClassName(int c) => c < model.ClassNames.Count ? model.ClassNames[c] : $"class {c}";
        open.Finish();
        if (json)
        {
            JsonOutput.Write(new
            {
                input = what, model = spec.Name, checkpoint, device = open.Device.Info.Line, milliseconds = ms, trueClass = truth,
                top = top.Select(t => new { @class = t.Class, name = ClassName(t.Class), probability = t.Probability }).ToArray(),
            });
            return 0;
        }
        var table = new Table().Border(TableBorder.Rounded).Title($"{Markup.Escape(what)} ({spec.Name}, {ms:F1} ms)")
            .AddColumn("#").AddColumn("class").AddColumn(new TableColumn("probability").RightAligned());
        for (int k = 0; k < top.Length; k++)
        {
            string name = ClassName(top[k].Class);
            string mark = truth == top[k].Class ? " [green](true)[/]" : "";
            table.AddRow((k + 1).ToString(), $"{top[k].Class} {Markup.Escape(name)}{mark}", $"{100 * top[k].Probability:F2}%");
        }
        AnsiConsole.Write(table);
        if (truth is int t && t < model.ClassNames.Count) AnsiConsole.MarkupLine($"true class: {t} {Markup.Escape(model.ClassNames[t])}");
        return 0;
    }
}
