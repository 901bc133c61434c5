namespace VkResNet.Graph.Ir;

/// <summary>How a trainer initialises a persistent tensor (torchvision's ResNet defaults).</summary>
public enum ParameterInit
{
    None,                // host-written or derived (inputs, folded weights)
    Zeros,               // BN beta, running_mean, momentum buffers, conv bias
    Ones,                // BN gamma, running_var
    KaimingNormalFanOut, // conv weights: N(0, 2 / (Cout * kh * kw)), mode="fan_out", relu
    LinearUniform,       // fc weight and bias: U(-1/sqrt(in), 1/sqrt(in)), PyTorch's nn.Linear default
}
