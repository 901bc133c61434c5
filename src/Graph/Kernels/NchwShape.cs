namespace VkResNet.Graph.Kernels;

/// <summary>Shape of an NCHW float32 activation, as the non-conv kernels take it.</summary>
public readonly record struct NchwShape(int N, int C, int H, int W)
{
    public int PlaneSize => H * W;
    public long Count => (long)N * C * H * W;

    public void Validate()
    {
        if (N <= 0 || C <= 0 || H <= 0 || W <= 0)
            throw new ArgumentException($"NCHW shape must be positive, got {this}.");
    }

    public override string ToString() => $"[{N}, {C}, {H}, {W}]";
}
