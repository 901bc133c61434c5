using VkResNet.Fuzz;

namespace VkResNet.Importer.Tests;

/// <summary>
/// Every input scripts/fuzz.sh saved (FuzzRegressions/&lt;target&gt;/) and every fuzz seed (tools/fuzz/seeds/&lt;target&gt;/) goes
/// through its reader once more: it must be read, or refused with the reader's documented exception, nothing else.
/// </summary>
public class FuzzRegressionTests
{
    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (string folder in new[] { "FuzzSeeds", "FuzzRegressions" })
        {
            string dir = Path.Combine(AppContext.BaseDirectory, folder);
            if (!Directory.Exists(dir)) continue;
            foreach (string file in Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
                data.Add(Path.GetFileName(Path.GetDirectoryName(file)!), Path.GetRelativePath(AppContext.BaseDirectory, file));
        }
        return data;
    }

    [Fact]
    public void Every_target_has_a_seed()
    {
        var seeded = Inputs().Where(row => ((string)row[1]).StartsWith("FuzzSeeds", StringComparison.Ordinal)).Select(row => (string)row[0]).ToHashSet();
        Assert.Equal(FuzzTargets.All.Select(t => t.Name).Order(), seeded.Order());
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Saved_input_is_read_or_refused_as_documented(string target, string file)
    {
        using var dir = new TempDir();
        var (_, finding) = FuzzTargets.Check(FuzzTargets.Find(target), File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, file)), dir.File("input"));
        Assert.True(finding is null, $"{file}: {finding?.GetType().Name}: {finding?.Message}\n{finding?.StackTrace}");
    }
}
