namespace VkResNet.Graph.Training;

/// <summary>
/// Learning rate as a function of the step. The recorded training step reads it from a one-float
/// input, so a schedule never needs a re-record.
/// </summary>
public abstract record LearningRateSchedule(double PeakRate)
{
    /// <param name="step">0-based step</param><param name="totalSteps">steps in the whole run</param>
    public abstract double At(long step, long totalSteps);

    /// <summary>Parses "step", "cosine", "onecycle" or "constant" (the CLI's --schedule), with optional linear warm-up.</summary>
    public static LearningRateSchedule Parse(string name, double rate, int warmupSteps = 0)
    {
        LearningRateSchedule s = name.ToLowerInvariant() switch
        {
            "step" => new StepDecay(rate),
            "cosine" => new Cosine(rate),
            "onecycle" or "one-cycle" => new OneCycle(rate),
            "constant" => new Constant(rate),
            _ => throw new ArgumentException($"Unknown learning-rate schedule \"{name}\"; use step, cosine, onecycle or constant."),
        };
        return warmupSteps > 0 ? new Warmup(s, warmupSteps) : s;
    }
}

public sealed record Constant(double PeakRate) : LearningRateSchedule(PeakRate)
{
    public override double At(long step, long totalSteps) => PeakRate;
}

/// <summary>The paper's schedule: divide by 10 at 50% and 75% of training (32k and 48k of 64k iterations).</summary>
public sealed record StepDecay(double PeakRate, double FirstMilestone = 0.5, double SecondMilestone = 0.75, double Factor = 0.1)
    : LearningRateSchedule(PeakRate)
{
    public override double At(long step, long totalSteps)
    {
        double f = (double)step / Math.Max(1, totalSteps);
        return PeakRate * (f >= SecondMilestone ? Factor * Factor : f >= FirstMilestone ? Factor : 1);
    }
}

/// <summary>Cosine annealing from the peak to zero over the run.</summary>
public sealed record Cosine(double PeakRate) : LearningRateSchedule(PeakRate)
{
    public override double At(long step, long totalSteps) =>
        0.5 * PeakRate * (1 + Math.Cos(Math.PI * step / Math.Max(1, totalSteps)));
}

/// <summary>
/// One-cycle (Smith 2018; PyTorch's OneCycleLR defaults): cosine up from peak/25 to the peak over the
/// first 30% of steps, then cosine down to peak/(25*1e4).
/// </summary>
public sealed record OneCycle(double PeakRate, double PctStart = 0.3, double DivFactor = 25, double FinalDivFactor = 1e4)
    : LearningRateSchedule(PeakRate)
{
    public override double At(long step, long totalSteps)
    {
        double initial = PeakRate / DivFactor, final = initial / FinalDivFactor;
        double up = PctStart * totalSteps - 1;
        if (step <= up)
            return Anneal(initial, PeakRate, up <= 0 ? 1 : step / up);
        double down = totalSteps - 1 - up;
        return Anneal(PeakRate, final, down <= 0 ? 1 : (step - up) / down);
    }

    static double Anneal(double start, double end, double pct) => end + (start - end) / 2 * (Math.Cos(Math.PI * Math.Clamp(pct, 0, 1)) + 1);
}

/// <summary>Linear warm-up from near zero to the inner schedule over the first steps (Goyal et al.).</summary>
public sealed record Warmup(LearningRateSchedule Inner, int WarmupSteps) : LearningRateSchedule(Inner.PeakRate)
{
    public override double At(long step, long totalSteps) =>
        step < WarmupSteps ? Inner.At(step, totalSteps) * (step + 1) / WarmupSteps : Inner.At(step, totalSteps);
}
