namespace VkResNet.Graph.Reporting;

/// <summary>
/// The training figure: three panels over one step axis — loss, train/test error and learning rate — for one run
/// (curves.svg) or several on one recipe (the degradation experiment). Train curves are thin and dashed, test
/// curves bold, one colour per run, as in He et al. Fig. 1/4.
/// </summary>
public static class TrainingCurves
{
    public sealed record Run(string Name, IReadOnlyList<MetricsRow> Rows, string? Color = null);

    public static SvgFigure Build(string title, IReadOnlyList<Run> runs)
    {
        long lastStep = runs.SelectMany(r => r.Rows).Select(r => r.Step).DefaultIfEmpty(1).Max();
        SvgPlot Panel(string yLabel, bool xLabel) => new()
        {
            YLabel = yLabel, XLabel = xLabel ? "step" : "", Height = xLabel ? 250 : 220, XMin = 0, XMax = Math.Max(1, lastStep),
        };
        var loss = Panel("loss", false);
        var error = Panel("error (%)", false);
        var lr = Panel("learning rate", true);
        foreach (var run in runs)
        {
            var train = run.Rows.Where(r => r.Phase == MetricsRow.Train).ToArray();
            var test = run.Rows.Where(r => r.Phase == MetricsRow.Test).ToArray();
            double[] trainX = train.Select(r => (double)r.Step).ToArray(), testX = test.Select(r => (double)r.Step).ToArray();
            string prefix = runs.Count == 1 ? "" : run.Name + " ";
            loss.AddSeries(prefix + "train", trainX, train.Select(r => r.Loss).ToArray(), SeriesStyle.Train(run.Color));
            loss.AddSeries(prefix + "test", testX, test.Select(r => r.Loss).ToArray(), SeriesStyle.Test(run.Color));
            error.AddSeries(prefix + "train", trainX, train.Select(r => 100 * r.Error).ToArray(), SeriesStyle.Train(run.Color));
            error.AddSeries(prefix + "test", testX, test.Select(r => 100 * r.Error).ToArray(), SeriesStyle.Test(run.Color));
            if (runs.Count == 1 || ReferenceEquals(run, runs[0])) // one recipe: the runs share their schedule
                lr.AddSeries(runs.Count == 1 ? "lr" : "lr (all runs)", trainX, train.Select(r => r.LearningRate).ToArray(), new SeriesStyle(run.Color ?? "#444"));
        }
        return new SvgFigure { Title = title }.Add(loss).Add(error).Add(lr);
    }
}
