using VkResNet.Graph.Compiler;
using VkResNet.Runtime;

namespace VkResNet.Graph.Execution;

/// <summary>Records an edge's barrier (<see cref="EdgeBarriers.Of"/>): the one way code outside the recorder places a barrier.</summary>
internal static class EdgeRecording
{
    public static void Edge(this CommandList commands, PlanEdge edge) => commands.Barrier(EdgeBarriers.Of(edge));
}
