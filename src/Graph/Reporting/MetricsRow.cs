namespace VkResNet.Graph.Reporting;

/// <summary>
/// One row of the training log, TensorBoard-style scalars over steps. <c>train</c> rows come every N steps and
/// hold the means over the steps since the previous row; a <c>test</c> row follows each epoch's evaluation.
/// Accuracies are fractions in [0,1]; NaN means "not measured" (written as an empty field).
/// </summary>
public readonly record struct MetricsRow(
    long Step, int Epoch, string Phase, double Loss, double Accuracy, double Top5Accuracy,
    double LearningRate, double ImagesPerSecond, double Seconds)
{
    public const string Train = "train";
    public const string Test = "test";
    public double Error => 1 - Accuracy;
}
