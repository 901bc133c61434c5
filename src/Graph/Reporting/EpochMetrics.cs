namespace VkResNet.Graph.Reporting;

/// <summary>One row of the training log. Errors are fractions in [0,1]; NaN means "not measured this epoch".</summary>
public readonly record struct EpochMetrics(
    int Epoch, long Step, double TrainLoss, double TrainError, double TestLoss, double TestError,
    double LearningRate, double ImagesPerSecond, double Seconds);
