namespace VkResNet.Graph.Embedding;

/// <summary>
/// How much of one inference may run per frame when it is spread over several frames (Sentis'
/// ScheduleIterable): a number of passes, or milliseconds of GPU time using per-pass times measured at warm-up.
/// </summary>
public sealed record SliceBudget
{
    public int? PassesPerSlice { get; private init; }
    public double? MillisecondsPerSlice { get; private init; }

    public static SliceBudget Passes(int passes) => passes > 0 ? new() { PassesPerSlice = passes }
        : throw new ArgumentOutOfRangeException(nameof(passes), passes, "A slice holds at least one pass.");

    public static SliceBudget Milliseconds(double ms) => ms > 0 ? new() { MillisecondsPerSlice = ms }
        : throw new ArgumentOutOfRangeException(nameof(ms), ms, "A frame budget is positive.");

    /// <summary>
    /// Splits passes [0, passCount) into consecutive slices. By time: passes are added while the slice stays
    /// within the budget; a pass longer than the budget alone gets a slice of its own.
    /// </summary>
    public (int Start, int End)[] Plan(int passCount, IReadOnlyList<double>? passMilliseconds)
    {
        var slices = new List<(int, int)>();
        if (PassesPerSlice is int n)
        {
            for (int s = 0; s < passCount; s += n) slices.Add((s, Math.Min(passCount, s + n)));
            return [.. slices];
        }
        if (passMilliseconds == null || passMilliseconds.Count != passCount)
            throw new ArgumentException("A millisecond budget needs one measured time per pass.", nameof(passMilliseconds));
        double budget = MillisecondsPerSlice!.Value;
        int start = 0;
        double sum = 0;
        for (int i = 0; i < passCount; i++)
        {
            if (i > start && sum + passMilliseconds[i] > budget)
            {
                slices.Add((start, i));
                start = i;
                sum = 0;
            }
            sum += passMilliseconds[i];
        }
        if (start < passCount) slices.Add((start, passCount));
        return [.. slices];
    }

    public override string ToString() => PassesPerSlice is int n ? $"{n} pass(es) per frame" : $"{MillisecondsPerSlice:0.###} ms per frame";
}
