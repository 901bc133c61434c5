using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>
/// Where compute commands are recorded: a <see cref="CommandList"/> (into its VkCommandBuffer, now) or a
/// <see cref="CommandTape"/> (kept, to be replayed into any command buffer of the device later).
/// </summary>
public interface ICommandSink
{
    void Dispatch(Kernel kernel, BindingSet set, ReadOnlySpan<byte> push, uint gx, uint gy = 1, uint gz = 1);
    /// <summary>A barrier of one of the runtime's kinds; the masks are <see cref="BarrierMasks.Of"/>.</summary>
    void Barrier(BarrierKind kind);
    void Copy(BufferSlice src, BufferSlice dst);
    void Fill(BufferSlice dst, uint value);

    void Dispatch<TPush>(Kernel kernel, BindingSet set, in TPush push, uint gx, uint gy = 1, uint gz = 1) where TPush : unmanaged =>
        Dispatch(kernel, set, MemoryMarshal.AsBytes(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in push), 1)), gx, gy, gz);

    /// <summary>Compute writes become visible to later compute reads and writes.</summary>
    void ComputeBarrier() => Barrier(BarrierKind.ComputeToCompute);

    /// <summary>Everything before (in submission order, earlier submissions included) finishes and is visible to everything after.</summary>
    void FullBarrier() => Barrier(BarrierKind.Full);
}
