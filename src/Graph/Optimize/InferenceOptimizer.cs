using VkResNet.Graph.Ir;
using VkResNet.Graph.Ops;

namespace VkResNet.Graph.Optimize;

/// <summary>The inference pipeline on the IR: fold BN into convs, then fuse bias+ReLU(+add) into the conv epilogue.</summary>
public static class InferenceOptimizer
{
    public static (int Folded, int Fused) Run(FrameGraph graph) => (BatchNormFolding.Run(graph), ConvEpilogueFusion.Run(graph));
}
