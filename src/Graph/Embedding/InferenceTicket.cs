using VkResNet.Runtime.Native;

namespace VkResNet.Graph.Embedding;

/// <summary>
/// One submitted inference: its ring slot and its value on the timeline semaphore. The app can poll
/// <see cref="IsComplete"/>, <see cref="Wait"/> for it, or make its own submission wait for
/// (<see cref="Semaphore"/>, <see cref="Value"/>). A view: copying it allocates nothing.
/// </summary>
public readonly struct InferenceTicket
{
    readonly RealtimeInference? _owner;

    internal InferenceTicket(RealtimeInference owner, int slot, ulong value)
    {
        _owner = owner;
        Slot = slot;
        Value = value;
    }

    public int Slot { get; }
    /// <summary>The timeline value the inference signals when it finishes (also its sequence number).</summary>
    public ulong Value { get; }
    public bool IsValid => _owner != null;

    /// <summary>The timeline semaphore to wait on (null handle when the device falls back to fences).</summary>
    public VkSemaphore Semaphore => Owner.Semaphore;

    public bool IsComplete => Owner.IsComplete(this);

    public void Wait(TimeSpan? timeout = null) => Owner.Wait(this, timeout);

    /// <summary>The logits in the mapped readback ring; valid until <see cref="RealtimeInference.Slots"/> newer inferences reuse the slot.</summary>
    public ReadOnlySpan<float> Result => Owner.Result(this);

    internal RealtimeInference Owner => _owner ?? throw new InvalidOperationException("This ticket was never issued.");
    internal bool IsFor(RealtimeInference owner) => ReferenceEquals(_owner, owner);

    public override string ToString() => $"inference #{Value} (slot {Slot})";
}
