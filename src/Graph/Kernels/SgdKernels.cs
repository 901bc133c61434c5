using System.Runtime.InteropServices;
using VkResNet.Runtime;

namespace VkResNet.Graph.Kernels;

/// <summary>Push constants of sgd_update.comp.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct SgdPush
{
    public uint Count;
    public float Momentum;
    public float WeightDecay;
    public uint Nesterov;
}

/// <summary>
/// In-place SGD step with PyTorch semantics (dampening 0): d = g + wd*w; v = mu*v + d;
/// w -= lr * (nesterov ? d + mu*v : v). The learning rate lives in a 1-float buffer, so a recorded
/// command buffer follows a schedule by writing that float, without re-recording.
/// </summary>
public static class SgdKernels
{
    public static void Update(CommandRecorder r, long count, BufferSlice grad, BufferSlice lr, BufferSlice weight,
        BufferSlice velocity, float momentum, float weightDecay, bool nesterov = false)
    {
        const string op = "sgd_update";
        if (!(momentum >= 0) || !(weightDecay >= 0) || (nesterov && momentum == 0))
            throw new ArgumentException($"{op}: need momentum >= 0, weight decay >= 0, and momentum > 0 for Nesterov; got {momentum}, {weightDecay}, {nesterov}.");
        var push = new SgdPush
        {
            Count = FlatGrid.Count(count, op), Momentum = momentum, WeightDecay = weightDecay, Nesterov = nesterov ? 1u : 0u,
        };
        FlatGrid.RequireTexels(grad, count, op, "grad");
        FlatGrid.Require(lr, 1, op, "lr");
        FlatGrid.RequireTexels(weight, count, op, "weight");
        FlatGrid.RequireTexels(velocity, count, op, "velocity");
        var (gx, gy) = FlatGrid.GroupsFor4(count);
        r.Dispatch(op, [], [Access.Read(grad), Access.Read(lr), Access.ReadWrite(weight), Access.ReadWrite(velocity)],
            push, gx, gy, 1);
    }
}
