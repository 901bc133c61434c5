using System.Text.RegularExpressions;
using VkResNet.Graph.Models;
using VkResNet.Graph.Tests.Models;
using Xunit;

namespace VkResNet.Graph.Tests.GraphCompiler;

public partial class PlanDotTests
{
    [Theory]
    [InlineData("basic-A", false)]
    [InlineData("bottleneck-B", true)]
    public void DotOutputIsWellFormed(string tiny, bool persistent)
    {
        var model = ResNetBuilder.Build(TinyModels.Get(tiny), 2, ResNetMode.Train);
        var plan = Compiler.GraphCompiler.Plan(model.Graph);
        string dot = Compiler.PlanDot.Write(plan, persistent);

        Assert.StartsWith("digraph plan {", dot);
        Assert.EndsWith("}", dot.TrimEnd());
        // Outside quoted strings braces balance and every edge end is a declared node.
        string unquoted = Quoted().Replace(dot, "\"\"");
        Assert.Equal(unquoted.Count(c => c == '{'), unquoted.Count(c => c == '}'));
        var declared = NodeDecl().Matches(unquoted).Select(m => m.Groups[1].Value).ToHashSet();
        var edges = Edge().Matches(unquoted).ToList();
        Assert.NotEmpty(edges);
        foreach (Match e in edges)
        {
            Assert.Contains(e.Groups[1].Value, declared);
            Assert.Contains(e.Groups[2].Value, declared);
        }
        Assert.Equal(plan.Passes.Count, declared.Count(n => n.StartsWith('p')));
        Assert.Equal(plan.BarrierCount, declared.Count(n => n.StartsWith('b')));
        Assert.Contains("arena+", dot);
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Quoted();
    [GeneratedRegex(@"^\s*([pbt]\d+) \[", RegexOptions.Multiline)]
    private static partial Regex NodeDecl();
    [GeneratedRegex(@"^\s*([pbt]\d+) -> ([pbt]\d+)", RegexOptions.Multiline)]
    private static partial Regex Edge();
}
