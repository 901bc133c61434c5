using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>The memory barriers the runtime records, by what they order. Their masks are written out in <see cref="BarrierMasks.Of"/> alone.</summary>
public enum BarrierKind : byte
{
    /// <summary>Compute writes become visible to later compute reads and writes (between and inside passes).</summary>
    ComputeToCompute,
    /// <summary>Copies and fills (uploads, zero fills) become visible to later compute and transfers.</summary>
    TransferToCompute,
    /// <summary>Compute and transfer writes become visible to later copies (readbacks, device-to-device copies).</summary>
    ComputeToTransfer,
    /// <summary>Copies into mapped readback memory become visible to the host.</summary>
    TransferToHost,
    /// <summary>Compute writes into mapped memory become visible to the host.</summary>
    ComputeToHost,
    /// <summary>Everything before (earlier submissions included) finishes and is visible to everything after.</summary>
    Full,
}

/// <summary>A barrier's stages and access masks.</summary>
public readonly record struct BarrierMasks(VkPipelineStage SrcStage, VkPipelineStage DstStage, VkAccess SrcAccess, VkAccess DstAccess)
{
    const VkAccess ShaderReadWrite = VkAccess.ShaderReadBit | VkAccess.ShaderWriteBit;
    const VkAccess TransferReadWrite = VkAccess.TransferReadBit | VkAccess.TransferWriteBit;

    /// <summary>The one place barrier masks are written out.</summary>
    public static BarrierMasks Of(BarrierKind kind) => kind switch
    {
        BarrierKind.ComputeToCompute => new(VkPipelineStage.ComputeShaderBit, VkPipelineStage.ComputeShaderBit, VkAccess.ShaderWriteBit, ShaderReadWrite),
        BarrierKind.TransferToCompute => new(VkPipelineStage.TransferBit, VkPipelineStage.ComputeShaderBit | VkPipelineStage.TransferBit,
                                             VkAccess.TransferWriteBit, ShaderReadWrite | TransferReadWrite),
        BarrierKind.ComputeToTransfer => new(VkPipelineStage.ComputeShaderBit | VkPipelineStage.TransferBit, VkPipelineStage.TransferBit,
                                             VkAccess.ShaderWriteBit | VkAccess.TransferWriteBit, TransferReadWrite),
        BarrierKind.TransferToHost => new(VkPipelineStage.TransferBit, VkPipelineStage.HostBit, VkAccess.TransferWriteBit, VkAccess.HostReadBit),
        BarrierKind.ComputeToHost => new(VkPipelineStage.ComputeShaderBit, VkPipelineStage.HostBit, VkAccess.ShaderWriteBit, VkAccess.HostReadBit),
        BarrierKind.Full => new(VkPipelineStage.AllCommandsBit, VkPipelineStage.AllCommandsBit, VkAccess.MemoryWriteBit,
                                VkAccess.MemoryReadBit | VkAccess.MemoryWriteBit),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown barrier kind."),
    };
}
