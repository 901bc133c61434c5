using System.Runtime.InteropServices;
using VkResNet.Runtime;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Compiler;
using VkResNet.Graph.Checking;
using VkResNet.Graph.Ir;

namespace VkResNet.Graph.Ops;

/// <summary>
/// SGD with momentum in place (PyTorch, dampening 0): d = g + wd*w; v = mu*v + d;
/// w -= lr * (nesterov ? d + mu*v : v). lr is a 1-float input tensor so a recorded step follows a schedule.
/// </summary>
public sealed class SgdUpdateOp : Op
{
    public SgdUpdateOp(string name, Tensor weight, Tensor grad, Tensor velocity, Tensor learningRate,
                       float momentum, float weightDecay, bool nesterov) : base(name)
    {
        Grad = Read(grad);
        LearningRate = Read(learningRate);
        Weight = ReadWrite(weight);
        Velocity = ReadWrite(velocity);
        Momentum = momentum;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        Require(grad.Shape == weight.Shape && velocity.Shape == weight.Shape, "weight, grad and velocity shapes differ");
    }

    public override string Type => "SgdUpdate";
    public Tensor Weight { get; }
    public Tensor Grad { get; }
    public Tensor Velocity { get; }
    public Tensor LearningRate { get; }
    public float Momentum { get; }
    public float WeightDecay { get; }
    public bool Nesterov { get; }
    public override long Flops => Weight.Shape.ElementCount * 6;

    public override void Reference(ReferenceContext m)
    {
        var w = m[Weight]; var g = m[Grad]; var v = m[Velocity]; double lr = m[LearningRate][0];
        for (int i = 0; i < w.Length; i++)
        {
            double d = g[i] + WeightDecay * w[i];
            v[i] = Momentum * v[i] + d;
            w[i] -= lr * (Nesterov ? d + Momentum * v[i] : v[i]);
        }
    }

    public override void Record(CommandRecorder rec) =>
        Launch(rec, Weight.Shape.ElementCount, rec.Slice(Grad), rec.Slice(LearningRate), rec.Slice(Weight), rec.Slice(Velocity), Momentum, WeightDecay, Nesterov);

    public static void Launch(CommandRecorder r, long count, BufferSlice grad, BufferSlice lr, BufferSlice weight,
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

/// <summary>Push constants of sgd_update.comp.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct SgdPush
{
    public uint Count;
    public float Momentum;
    public float WeightDecay;
    public uint Nesterov;
}
