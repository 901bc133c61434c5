namespace VkResNet.Graph.Tests.Reference;

/// <summary>Double-precision torch.optim.SGD step (dampening 0), updating w and v in place.</summary>
public static class CpuSgd
{
    public static void Update(double[] grad, double lr, double[] weight, double[] velocity, double momentum, double weightDecay, bool nesterov)
    {
        for (int i = 0; i < weight.Length; i++)
        {
            double d = grad[i] + weightDecay * weight[i];
            velocity[i] = momentum * velocity[i] + d;
            double step = nesterov ? d + momentum * velocity[i] : velocity[i];
            weight[i] -= lr * step;
        }
    }
}
