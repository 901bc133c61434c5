using VkResNet.Graph.Training;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Training;

/// <summary>Every learning-rate schedule against its closed form, at the start, the milestones and the end.</summary>
public class LearningRateScheduleTests
{
    const long Total = 1000;

    static void Close(double expected, double actual, string where) => Tolerance.AssertClose([expected], [actual], 1e-12, 1e-9, where);

    [Theory]
    [InlineData(0L), InlineData(1L), InlineData(499L), InlineData(999L)]
    public void Constant_is_the_rate_everywhere(long step) => Close(0.1, LearningRateSchedule.Parse("constant", 0.1).At(step, Total), $"step {step}");

    [Theory]
    [InlineData(0L, 0.1), InlineData(499L, 0.1), InlineData(500L, 0.01), InlineData(749L, 0.01), InlineData(750L, 0.001), InlineData(999L, 0.001)]
    public void Step_divides_by_ten_at_half_and_three_quarters(long step, double expected) =>
        Close(expected, LearningRateSchedule.Parse("step", 0.1).At(step, Total), $"step {step}");

    [Theory]
    [InlineData(0L), InlineData(250L), InlineData(500L), InlineData(777L), InlineData(1000L)]
    public void Cosine_is_half_one_plus_cos(long step) =>
        Close(0.05 * (1 + Math.Cos(Math.PI * step / Total)), LearningRateSchedule.Parse("cosine", 0.1).At(step, Total), $"step {step}");

    [Theory]
    [InlineData(0L), InlineData(100L), InlineData(299L), InlineData(500L), InlineData(999L)]
    public void One_cycle_matches_pytorchs_OneCycleLR(long step)
    {
        // torch.optim.lr_scheduler.OneCycleLR(max_lr=0.1, total_steps=1000) with cosine annealing, pct_start 0.3, div 25, final_div 1e4.
        double peak = 0.1, initial = peak / 25, final = initial / 1e4, up = 0.3 * Total - 1, down = Total - 1 - up;
        static double Cos(double start, double end, double pct) => end + (start - end) / 2 * (Math.Cos(Math.PI * pct) + 1);
        double expected = step <= up ? Cos(initial, peak, step / up) : Cos(peak, final, (step - up) / down);
        Close(expected, LearningRateSchedule.Parse("onecycle", peak).At(step, Total), $"step {step}");
        if (step == 0) Close(0.004, expected, "start at peak/25");
        if (step == 999) Close(4e-7, expected, "end at peak/25/1e4");
    }

    [Theory]
    [InlineData(0L), InlineData(49L), InlineData(99L), InlineData(100L), InlineData(600L)]
    public void Warmup_ramps_linearly_into_the_inner_schedule(long step)
    {
        var inner = LearningRateSchedule.Parse("step", 0.1);
        double expected = step < 100 ? inner.At(step, Total) * (step + 1) / 100 : inner.At(step, Total);
        Close(expected, LearningRateSchedule.Parse("step", 0.1, warmupSteps: 100).At(step, Total), $"step {step}");
        if (step == 99) Close(0.1, expected, "warm-up ends at the peak");
    }

    [Fact]
    public void An_unknown_schedule_is_refused_by_name() =>
        Assert.Contains("\"linear\"", Assert.Throws<ArgumentException>(() => LearningRateSchedule.Parse("linear", 0.1)).Message);
}
