namespace VkResNet.Graph.Ir;

/// <summary>How a pass touches a tensor; the barrier planner and lifetimes are derived from these.</summary>
public enum TensorUsage { Read, Write, ReadWrite }

public readonly record struct TensorAccess(Tensor Tensor, TensorUsage Usage)
{
    public bool Reads => Usage is TensorUsage.Read or TensorUsage.ReadWrite;
    public bool Writes => Usage is TensorUsage.Write or TensorUsage.ReadWrite;
}
