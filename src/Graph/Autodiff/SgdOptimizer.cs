using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Autodiff;

/// <summary>SGD settings (PyTorch defaults for ResNet training: momentum 0.9, weight decay 1e-4).</summary>
public sealed record SgdOptions(float Momentum = 0.9f, float WeightDecay = 1e-4f, bool Nesterov = false,
                                bool DecayBatchNormAndBias = true);

public static class SgdOptimizer
{
    /// <summary>Name of the 1-float learning-rate input the SGD passes read (host-written each step).</summary>
    public const string LearningRateName = "optimizer.lr";

    /// <summary>
    /// Appends one in-place <see cref="SgdUpdateOp"/> per parameter, each with a persistent momentum buffer
    /// "{param}.momentum_buffer" (PyTorch's state name). Returns the learning-rate tensor.
    /// </summary>
    public static Tensor AppendSgd(GraphBuilder builder, IReadOnlyDictionary<Tensor, Tensor> gradients, SgdOptions options)
    {
        var lr = builder.Input(LearningRateName, new TensorShape(1));
        var saved = (builder.Phase, builder.Stage);
        builder.Phase = OpPhase.Optimizer;
        builder.Stage = "optimizer";
        try
        {
            foreach (var (param, grad) in gradients.OrderBy(kv => kv.Key.Id.Index))
            {
                var velocity = builder.OptimizerState($"{param.Name}.momentum_buffer", param.Shape);
                // torchvision's BN/bias parameters are rank 1; some recipes exempt them from weight decay.
                float wd = options.DecayBatchNormAndBias || param.Shape.Rank > 1 ? options.WeightDecay : 0f;
                builder.Add(new SgdUpdateOp($"{param.Name}.sgd", param, grad, velocity, lr, options.Momentum, wd, options.Nesterov));
            }
        }
        finally
        {
            (builder.Phase, builder.Stage) = saved;
        }
        return lr;
    }
}
