namespace VkResNet.Graph.Compiler;

/// <summary>One block to place: its size (a multiple of the alignment) and the passes it is live in.</summary>
public readonly record struct ArenaRequest(long Size, Lifetime Lifetime);

/// <summary>
/// Phase 4: aliasing of transient tensors into one arena. Greedy by size (largest first), each block goes
/// into the smallest gap between already-placed blocks whose lifetimes overlap its own (best fit), else on
/// top of them. Two blocks share bytes only when their lifetimes are disjoint.
/// </summary>
public static class ArenaAllocator
{
    public const long Alignment = 16;

    /// <summary>Returns each request's offset (16-byte aligned) and the arena size.</summary>
    public static (long[] Offsets, long ArenaBytes) Allocate(IReadOnlyList<ArenaRequest> requests)
    {
        var offsets = new long[requests.Count];
        var placed = new List<int>();
        long arena = 0;
        var bySize = Enumerable.Range(0, requests.Count)
            .OrderByDescending(i => requests[i].Size).ThenBy(i => requests[i].Lifetime.First).ToList();
        foreach (int i in bySize)
        {
            var r = requests[i];
            long size = AlignUp(r.Size);
            var conflicts = placed.Where(j => requests[j].Lifetime.Overlaps(r.Lifetime))
                .Select(j => (Offset: offsets[j], End: offsets[j] + AlignUp(requests[j].Size)))
                .OrderBy(b => b.Offset).ToList();
            long best = -1, bestGap = long.MaxValue, cursor = 0;
            foreach (var (offset, end) in conflicts)
            {
                long gap = offset - cursor;
                if (gap >= size && gap < bestGap)
                    (best, bestGap) = (cursor, gap);
                cursor = Math.Max(cursor, end);
            }
            offsets[i] = best >= 0 ? best : cursor;
            arena = Math.Max(arena, offsets[i] + size);
            placed.Add(i);
        }
        return (offsets, arena);
    }

    public static long AlignUp(long value) => (value + Alignment - 1) / Alignment * Alignment;
}
