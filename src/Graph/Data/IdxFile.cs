namespace VkResNet.Graph.Data;

/// <summary>The contents of one IDX file: its dimensions and its uint8 payload (row-major).</summary>
public sealed record IdxFile(int[] Dimensions, byte[] Data)
{
    public long ElementCount => Dimensions.Aggregate(1L, (a, d) => a * d);
}
