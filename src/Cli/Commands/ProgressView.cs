using Spectre.Console;
using VkResNet.Graph.Training;

namespace VkResNet.Cli.Commands;

/// <summary>
/// A progress bar with loss, accuracy, images/s and ETA while training runs; plain lines per epoch
/// when the output is not a terminal (logs, CI).
/// </summary>
public static class ProgressView
{
    public static IReadOnlyList<EpochResult> Run(int epochs, Func<IProgress<TrainProgress>, IReadOnlyList<EpochResult>> body, Action<EpochResult> onEpoch)
    {
        if (!ConsoleSetup.LiveDisplay)
        {
            int lastEpochPrinted = 0;
            DateTime lastLine = DateTime.MinValue;
            var quiet = new SyncProgress<TrainProgress>(p =>
            {
                if (p.Phase != "train" || (DateTime.UtcNow - lastLine).TotalSeconds < 30 && p.Step != p.StepsPerEpoch) return;
                lastLine = DateTime.UtcNow;
                Console.WriteLine($"  epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.StepsPerEpoch}: loss {p.Loss:F4}, accuracy {100 * p.Accuracy:F2}%, {p.ImagesPerSecond:F0} images/s, lr {p.LearningRate:G3}");
                lastEpochPrinted = p.Epoch;
            });
            var results = body(quiet);
            foreach (var r in results) onEpoch(r);
            return results;
        }

        IReadOnlyList<EpochResult> res = [];
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<(int, string), ProgressTask>();
                var reporter = new SyncProgress<TrainProgress>(p =>
                {
                    if (!tasks.TryGetValue((p.Epoch, p.Phase), out var task))
                        tasks[(p.Epoch, p.Phase)] = task = ctx.AddTask($"epoch {p.Epoch}/{p.Epochs} {p.Phase}", maxValue: p.StepsPerEpoch);
                    task.Value = p.Step;
                    task.Description = p.Phase == "train"
                        ? $"epoch {p.Epoch}/{p.Epochs} train  loss {p.Loss:F3} acc {100 * p.Accuracy:F1}% {p.ImagesPerSecond:F0} img/s"
                        : $"epoch {p.Epoch}/{p.Epochs} test   loss {p.Loss:F3} acc {100 * p.Accuracy:F1}%";
                });
                res = body(reporter);
            });
        foreach (var r in res) onEpoch(r);
        return res;
    }
}
