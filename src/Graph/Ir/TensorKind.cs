namespace VkResNet.Graph.Ir;

/// <summary>What a tensor is for; decides whether it is persistent or aliased in the transient arena.</summary>
public enum TensorKind
{
    Input,              // written by the host before each run (images, learning rate)
    Label,              // int32 class indices, written by the host
    Parameter,          // trainable weights (conv, BN gamma/beta, fc)
    RunningStat,        // BN running_mean / running_var: persistent, not trained by SGD
    Activation,         // forward intermediate: transient, aliased in the arena
    ActivationGradient, // gradient of an activation: transient, aliased in the arena
    ParameterGradient,  // gradient of a parameter: persistent, read by the optimizer
    OptimizerState,     // SGD momentum buffers
    Output,             // read back by the host (loss, correct count, logits at inference)
}

public enum ElementType { Float32, Int32 }

public static class TensorKindExtensions
{
    /// <summary>Transient tensors live only between first and last use inside one run and share the arena.</summary>
    public static bool IsTransient(this TensorKind kind) => kind is TensorKind.Activation or TensorKind.ActivationGradient;
}
