namespace VkResNet.Graph.Optimize;

/// <summary>
/// How a loader fills a folded conv's weight and bias (tensor names) from the original checkpoint
/// tensors (torchvision names) with <see cref="BatchNormFolding.Fold"/>. ConvBias is null for a conv without bias.
/// </summary>
public sealed record FoldedConvParameters(
    string FoldedWeight, string FoldedBias,
    string ConvWeight, string? ConvBias,
    string Gamma, string Beta, string RunningMean, string RunningVar, double Eps);
