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
        SgdKernels.Update(rec, Weight.Shape.ElementCount, rec.Slice(Grad), rec.Slice(LearningRate), rec.Slice(Weight), rec.Slice(Velocity), Momentum, WeightDecay, Nesterov);
}
