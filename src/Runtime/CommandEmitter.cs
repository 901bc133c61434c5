using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>
/// Writes compute commands into one VkCommandBuffer: the only code that emits the vkCmd calls of dispatches,
/// barriers, copies and fills. An implementation detail of <see cref="CommandList"/> (not a recording name of its own):
/// the list writes through it into its own command buffer as it records, and into any other when it replays.
/// Skips rebinding a pipeline that is already bound. Allocates nothing.
/// </summary>
internal unsafe struct CommandEmitter(VkApi api, VkCommandBuffer commandBuffer)
{
    VkPipeline _bound;

    /// <summary>Someone else may have bound pipelines meanwhile: bind again on the next dispatch.</summary>
    public void Forget() => _bound = default;

    public void Dispatch(VkPipeline pipeline, VkPipelineLayout layout, VkDescriptorSet set, byte* push, uint pushBytes, uint gx, uint gy, uint gz)
    {
        if (_bound != pipeline)
        {
            api.CmdBindPipeline(commandBuffer, VkPipelineBindPoint.Compute, pipeline);
            _bound = pipeline;
        }
        api.CmdBindDescriptorSets(commandBuffer, VkPipelineBindPoint.Compute, layout, 0, 1, &set, 0, null);
        if (pushBytes > 0)
            api.CmdPushConstants(commandBuffer, layout, VkShaderStageFlags.ComputeBit, 0, pushBytes, push);
        api.CmdDispatch(commandBuffer, gx, gy, gz);
    }

    public readonly void Barrier(in BarrierMasks m)
    {
        var mb = new VkMemoryBarrier { SType = VkStructureType.MemoryBarrier, SrcAccessMask = m.SrcAccess, DstAccessMask = m.DstAccess };
        api.CmdPipelineBarrier(commandBuffer, m.SrcStage, m.DstStage, 0, 1, &mb, 0, null, 0, null);
    }

    public readonly void Copy(VkBuffer src, ulong srcOffset, VkBuffer dst, ulong dstOffset, ulong size)
    {
        var region = new VkBufferCopy { SrcOffset = srcOffset, DstOffset = dstOffset, Size = size };
        api.CmdCopyBuffer(commandBuffer, src, dst, 1, &region);
    }

    public readonly void Fill(VkBuffer dst, ulong offset, ulong size, uint value) => api.CmdFillBuffer(commandBuffer, dst, offset, size, value);
}
