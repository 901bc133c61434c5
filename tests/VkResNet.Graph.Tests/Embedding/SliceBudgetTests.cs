using VkResNet.Graph.Embedding;
using Xunit;

namespace VkResNet.Graph.Tests.Embedding;

/// <summary>How passes are split into frame slices, without a GPU.</summary>
public class SliceBudgetTests
{
    public static TheoryData<int, int, string> ByPasses => new()
    {
        { 7, 3, "0-3 3-6 6-7" },
        { 6, 3, "0-3 3-6" },
        { 2, 5, "0-2" },
        { 3, 1, "0-1 1-2 2-3" },
    };

    [Theory, MemberData(nameof(ByPasses))]
    public void PassBudget_CutsEveryNPasses(int passes, int perSlice, string expected) =>
        Assert.Equal(expected, Format(SliceBudget.Passes(perSlice).Plan(passes, null)));

    public static TheoryData<double[], double, string> ByTime => new()
    {
        { new[] { 1.0, 1.0, 1.0, 1.0 }, 2.0, "0-2 2-4" },
        { new[] { 0.5, 3.0, 0.5, 0.5 }, 1.0, "0-1 1-2 2-4" },   // a pass over budget gets a slice of its own
        { new[] { 0.1, 0.1, 0.1 }, 10.0, "0-3" },
        { new[] { 2.0, 2.0 }, 1.0, "0-1 1-2" },
    };

    [Theory, MemberData(nameof(ByTime))]
    public void MillisecondBudget_FillsSlicesGreedily(double[] passMs, double budget, string expected) =>
        Assert.Equal(expected, Format(SliceBudget.Milliseconds(budget).Plan(passMs.Length, passMs)));

    [Fact]
    public void MillisecondBudget_NeedsOneTimePerPass() =>
        Assert.Throws<ArgumentException>(() => SliceBudget.Milliseconds(1).Plan(3, [1.0]));

    static string Format((int Start, int End)[] slices) => string.Join(" ", slices.Select(s => $"{s.Start}-{s.End}"));
}
