using Spectre.Console;
using Spectre.Console.Rendering;
using VkResNet.Graph.Training;

namespace VkResNet.Cli.Commands;

/// <summary>
/// A progress bar with loss, accuracy, images/s, lr and a labelled ETA while training runs; a plain line every
/// 30 s when the output is not a live terminal (logs, CI, NO_COLOR). Each epoch's summary line prints as that
/// epoch ends, above the bar.
/// </summary>
public static class ProgressView
{
    public delegate IReadOnlyList<EpochResult> Body(IProgress<TrainProgress> progress, Action<EpochResult> epochEnded);

    public static IReadOnlyList<EpochResult> Run(Body body, Action<EpochResult> onEpoch)
    {
        if (!ConsoleSetup.LiveDisplay)
        {
            DateTime lastLine = DateTime.MinValue, epochStart = DateTime.UtcNow;
            var quiet = new SyncProgress<TrainProgress>(p =>
            {
                if (p.Phase == "train" && p.Step == 1) epochStart = DateTime.UtcNow;
                if (p.Phase != "train" || (DateTime.UtcNow - lastLine).TotalSeconds < 30 && p.Step != p.StepsPerEpoch) return;
                lastLine = DateTime.UtcNow;
                Console.WriteLine($"  epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.StepsPerEpoch}: loss {p.Loss:F4}, accuracy {100 * p.Accuracy:F2}%, " +
                    $"{p.ImagesPerSecond:F0} images/s, lr {p.LearningRate:G3}, ETA {Format((DateTime.UtcNow - epochStart) / p.Step * (p.StepsPerEpoch - p.Step))} (epoch)");
            });
            return body(quiet, onEpoch);
        }

        IReadOnlyList<EpochResult> res = [];
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new EtaColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<(int, string), ProgressTask>();
                var reporter = new SyncProgress<TrainProgress>(p =>
                {
                    if (!tasks.TryGetValue((p.Epoch, p.Phase), out var task))
                        tasks[(p.Epoch, p.Phase)] = task = ctx.AddTask($"epoch {p.Epoch}/{p.Epochs} {p.Phase}", maxValue: p.StepsPerEpoch);
                    task.Value = p.Step;
                    task.Description = p.Phase == "train"
                        ? $"epoch {p.Epoch}/{p.Epochs} train  loss {p.Loss:F3} acc {100 * p.Accuracy:F1}% {p.ImagesPerSecond:F0} img/s lr {p.LearningRate:G3}"
                        : $"epoch {p.Epoch}/{p.Epochs} test   loss {p.Loss:F3} acc {100 * p.Accuracy:F1}%";
                });
                res = body(reporter, onEpoch); // lines written while the bar runs go above it
            });
        return res;
    }

    internal static string Format(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}" : $"{t.Minutes}:{t.Seconds:00}";

    /// <summary>"ETA 1:23" from Spectre's own estimate of the task's remaining time.</summary>
    sealed class EtaColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.IsFinished ? "done     " : task.RemainingTime is TimeSpan t ? $"ETA {Format(t),5}" : "ETA  -:--", new Style(Color.Blue));
    }
}
