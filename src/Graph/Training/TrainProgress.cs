namespace VkResNet.Graph.Training;

/// <summary>Where a run is, reported after every step.</summary>
public readonly record struct TrainProgress(
    int Epoch, int Epochs, int Step, int StepsPerEpoch, double Loss, double Accuracy, double ImagesPerSecond, double LearningRate, string Phase);

/// <summary>What one epoch came to.</summary>
public sealed record EpochResult(int Epoch, long Step, double TrainLoss, double TrainError, double TestLoss, double TestError,
    double TestTop5Error, double LearningRate, double ImagesPerSecond, double Seconds);

/// <summary>The loss turned NaN or infinite; the run stopped and the last good checkpoint is kept.</summary>
public sealed class DivergedException(string message) : Exception(message);
