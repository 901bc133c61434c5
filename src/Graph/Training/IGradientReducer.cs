namespace VkResNet.Graph.Training;

/// <summary>
/// What data-parallel training needs from the ranks of a job (MPI in VkResNet.Distributed; Graph never knows how).
/// Every call is collective in the same order on every rank, and every wait ends within the reducer's timeout:
/// a rank that died or hangs makes the others throw <see cref="RankFailureException"/> naming it.
/// Buffers handed to <see cref="BeginAllReduce"/> must not move until the reduction completes (mapped or pinned memory).
/// </summary>
public interface IGradientReducer
{
    int Rank { get; }
    int WorldSize { get; }
    /// <summary>Local rank on this host (device choice: local rank modulo the devices present).</summary>
    int LocalRank { get; }

    /// <summary>Marks the start of step <paramref name="step"/> on this rank, so a timeout can name the ranks that never reached it.</summary>
    void Arrive(long step);

    /// <summary>Starts summing <paramref name="send"/> over all ranks into <paramref name="receive"/> (same length); returns at once.</summary>
    void BeginAllReduce(int bucket, ReadOnlySpan<float> send, Span<float> receive);

    /// <summary>
    /// Sums <paramref name="send"/> over all ranks into <paramref name="receive"/> and waits for it, while bucket reductions
    /// begun before stay outstanding (SyncBatchNorm's [2C] statistics between two segments of the step).
    /// </summary>
    void AllReduce(ReadOnlySpan<float> send, Span<float> receive);

    /// <summary>Drives outstanding reductions forward without waiting (MPI makes progress only inside its calls).</summary>
    void Progress();

    /// <summary>True once the reduction begun for <paramref name="bucket"/> since the last <see cref="WaitAll"/> completed (never waits).</summary>
    bool IsReduced(int bucket);

    /// <summary>Waits for every reduction begun since the last call; returns the seconds it waited.</summary>
    double WaitAll();

    /// <summary>Rank <paramref name="root"/>'s bytes to every rank, in place (blocking, within the timeout).</summary>
    void Broadcast(Span<byte> data, int root = 0);

    /// <summary>Throws <see cref="RankFailureException"/> naming the ranks whose <paramref name="value"/> differs from rank 0's.</summary>
    void RequireSameOnAllRanks(ulong value, string what);

    /// <summary>Ends the whole job now (every rank), after this rank printed why.</summary>
    void Abort(int exitCode);
}

/// <summary>A rank died, hung or drifted; the message names it.</summary>
public sealed class RankFailureException(string message) : Exception(message);
