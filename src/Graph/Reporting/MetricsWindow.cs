namespace VkResNet.Graph.Reporting;

/// <summary>
/// Sums the steps between two train rows of metrics.csv and makes the row: mean loss and accuracy over the window,
/// images/s over its wall time. A value type on the training loop's stack: nothing allocates per step.
/// </summary>
public struct MetricsWindow(int every, int batchSize)
{
    int _steps;
    double _loss, _correct, _startSeconds;

    /// <summary>Adds one step (<paramref name="correct"/>: right answers in the batch); returns a row every <c>every</c> steps and at the epoch's last.</summary>
    public MetricsRow? Add(long step, int epoch, double loss, double correct, double lr, double epochSeconds, bool last)
    {
        _steps++;
        _loss += loss;
        _correct += correct;
        if (_steps < every && !last) return null;
        double seconds = epochSeconds - _startSeconds;
        var row = new MetricsRow(step, epoch, MetricsRow.Train, _loss / _steps, _correct / ((double)_steps * batchSize), double.NaN, lr,
            seconds > 0 ? (double)_steps * batchSize / seconds : double.NaN, epochSeconds);
        (_steps, _loss, _correct, _startSeconds) = (0, 0, 0, epochSeconds);
        return row;
    }
}
