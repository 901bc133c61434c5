using System.Text.RegularExpressions;
using Xunit;

namespace VkResNet.Graph.Tests.Ir;

/// <summary>
/// Ir/ is the tensor vocabulary and depends on nothing else in Graph (the graph, ops and builder live in Ops/;
/// FrameGraph.cs says why): no file there imports or names another Graph namespace.
/// </summary>
public sealed class IrDependencyTests
{
    static readonly string[] Rooms =
    [
        "Autodiff", "Checking", "Compiler", "Data", "Edge", "Embedding", "Execution", "IO", "Kernels", "Models", "Ops",
        "Optimize", "Reporting", "Training", "Tuning",
    ];

    [Fact]
    public void Ir_files_use_no_other_part_of_Graph()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "VkResNet.sln")))
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("VkResNet.sln not found above the test binaries.");
        var files = Directory.GetFiles(Path.Combine(root, "src", "Graph", "Ir"), "*.cs");
        Assert.True(files.Length >= 5, $"expected the Ir sources, found {files.Length}");
        var uses = new Regex(@"\b(?:using\s+VkResNet\.Graph\.|VkResNet\.Graph\.)?(" + string.Join("|", Rooms) + @")\.[A-Z]\w*");
        var bad = new List<string>();
        foreach (var f in files)
            foreach (var (line, i) in File.ReadLines(f).Select((l, i) => (l, i + 1)))
            {
                if (line.TrimStart().StartsWith("///", StringComparison.Ordinal)) continue;
                if (line.Contains("using VkResNet.Graph.", StringComparison.Ordinal) || uses.IsMatch(line))
                    bad.Add($"{Path.GetFileName(f)}:{i}: {line.Trim()}");
            }
        Assert.True(bad.Count == 0, "Ir/ must depend on nothing else in Graph:\n" + string.Join("\n", bad));
    }
}
