using System.CommandLine;
using Spectre.Console;
using VkResNet.Graph.Data;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Training;

using VkResNet.Graph.Edge;

namespace VkResNet.Cli.Commands;

/// <summary><c>vkresnet eval</c>: top-1/top-5 error, per-class accuracy and the confusion matrix of a checkpoint on a test set.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "Checkpoint (from train or vkresnet-import)", DefaultValueFactory = _ => "runs/latest/checkpoint.safetensors" };
        var batch = new Option<int?>("--batch", "-b") { Description = $"Batch size (1-{MaxBatch}, default 250; with --ten-crop 1-{MaxTenCropBatch} images, default 100)" };
        var tenCrop = new Option<int?>("--ten-crop") { Description = "The paper's 10-crop testing: average softmax over 4 corners + centre and their flips, crops of this size (1 to the image side)" };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N test images (N >= 1)" };
        var data = new DataOptions();
        var cmd = new Command("eval", "Evaluate a checkpoint: top-1/top-5 error, per-class accuracy, confusion matrix");
        foreach (var o in new Option[] { checkpoint, batch, tenCrop, limit }) cmd.Options.Add(o);
        data.AddTo(cmd);
        var json = JsonOutput.AddTo(cmd, "Print the result as JSON (top-1/top-5 error, loss, per-class accuracy, confusion matrix)");
        var device = cmd.AddDeviceOptions();
        cmd.SetAction(r => Run(r.GetValue(checkpoint)!, r.GetValue(batch), r.GetValue(tenCrop), r.GetValue(limit),
            r.GetValue(data.Kind)!, r.GetValue(data.Directory), device.SelectorOf(r), device.ValidationOf(r), r.GetValue(json)));
        return cmd;
    }

    /// <summary>The most images one evaluation step takes (10-crop: views, so batch x 10); larger batches exceed dispatch limits.</summary>
    public const int MaxBatch = 1024, MaxTenCropBatch = MaxBatch / 10;

    static int Run(string checkpoint, int? batchOption, int? tenCrop, int? limit, string dataKind, string? dataDir, string? deviceSelector, bool validation, bool json)
    {
        // Every option and the checkpoint itself are checked before any device work.
        int maxBatch = tenCrop is null ? MaxBatch : MaxTenCropBatch;
        int batch = batchOption ?? (tenCrop is null ? 250 : 100);
        if (batch < 1 || batch > maxBatch)
            throw UsageException.OutOfRange("--batch", batch, $"1 to {maxBatch} images{(tenCrop is null ? "" : " (x10 views with --ten-crop)")}");
        if (limit is < 1) throw UsageException.OutOfRange("--limit", limit, "at least 1 image (leave it out for the whole test set)");
        var (_, test) = DataOptions.Load(dataKind, dataDir);
        if (tenCrop is int c && (c < 1 || c > Math.Min(test.Height, test.Width)))
            throw UsageException.OutOfRange("--ten-crop", c, $"a crop side from 1 to {Math.Min(test.Height, test.Width)} ({test.Name} images are {test.Height}x{test.Width})");
        if (!File.Exists(checkpoint)) throw new BadInputException($"No checkpoint at {checkpoint}. Train one with `vkresnet train` or import one with vkresnet-import.");
        if (limit is int l && l < test.Count) test = test.Take(l);
        var (ckpt, spec) = InferenceModel.Open(checkpoint);
        InferenceModel.CheckFits(spec, test, checkpoint, anyImageSize: tenCrop != null);
        if (!json) foreach (string note in ckpt.Notes) AnsiConsole.MarkupLine($"[yellow]note[/]   {Markup.Escape(note)}");
        var tuning = CommonOptions.Tuning();
        using var open = OpenDevice.Create(deviceSelector, validation);
        var device = open.Device;
        if (!json) AnsiConsole.MarkupLine($"[bold]device[/] {Markup.Escape(device.Info.Line)}");
        Evaluation result;
        if (tenCrop is int crop)
            result = TenCropEvaluator.Run(device, checkpoint, test, crop, batch);
        else
        {
            using var model = InferenceModel.Load(device, ckpt, spec, checkpoint, Math.Min(batch, test.Count), compile: CommonOptions.Compile() with { Tuning = tuning });
            result = Evaluator.Run(model.Graph, model.Model, test, model.Normalization);
        }
        open.Finish();
        if (json)
        {
            var m = result.Metrics;
            JsonOutput.Write(new
            {
                checkpoint, device = device.Info.Line, dataset = test.Name, images = m.Count, top1Error = m.Top1Error, top5Error = m.Top5Error, loss = m.MeanLoss,
                tenCrop, classes = test.ClassNames, perClassAccuracy = result.Confusion.PerClassAccuracy(),
                confusion = Enumerable.Range(0, result.Confusion.Classes).Select(i => Enumerable.Range(0, result.Confusion.Classes).Select(j => result.Confusion[i, j]).ToArray()).ToArray(),
            });
        }
        else Print(result, test);
        return 0;
    }

    public static void Print(Evaluation e, Dataset test)
    {
        var m = e.Metrics;
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(test.Name)}[/]: {m.Count:N0} images, top-1 error {100 * m.Top1Error:F2}% (accuracy {100 * (1 - m.Top1Error):F2}%), top-5 error {100 * m.Top5Error:F2}%, loss {m.MeanLoss:F4}");
        var perClass = e.Confusion.PerClassAccuracy();
        var table = new Table().Border(TableBorder.Rounded).AddColumn("true \\ predicted");
        for (int j = 0; j < e.Confusion.Classes; j++) table.AddColumn(new TableColumn(j.ToString()).RightAligned());
        table.AddColumn(new TableColumn("accuracy").RightAligned());
        for (int i = 0; i < e.Confusion.Classes; i++)
        {
            var row = new List<string> { $"{i} {Markup.Escape(i < test.ClassNames.Count ? test.ClassNames[i] : "")}" };
            for (int j = 0; j < e.Confusion.Classes; j++) row.Add(i == j ? $"[green]{e.Confusion[i, j]}[/]" : e.Confusion[i, j].ToString());
            row.Add($"{100 * perClass[i]:F1}%");
            table.AddRow(row.ToArray());
        }
        AnsiConsole.Write(table);
    }
}
