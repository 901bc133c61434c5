namespace VkResNet.Graph.Data;

/// <summary>Where a batch sits in the stream: its epoch, its index in the epoch, and how many real images it holds.</summary>
public readonly record struct BatchInfo(int Epoch, int Index, int Count, bool IsLastInEpoch);
