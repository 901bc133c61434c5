using System.Text.RegularExpressions;
using Xunit;

namespace VkResNet.Cli.Tests;

/// <summary>
/// Docs that match the code: every repo path that README.md, docs/ and each project's README name exists, and no
/// doc sends the reader to a Debug build. Generated outputs (runs/, BenchmarkDotNet.Artifacts/, bin/, obj/) are
/// named by the commands that make them and are not checked.
/// </summary>
public sealed class DocsPathTests
{
    static readonly string Root = FindRoot();

    static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "VkResNet.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("VkResNet.sln not found above " + AppContext.BaseDirectory);
    }

    static readonly string[] TopLevel = ["src", "tests", "docs", "bench", "samples", "tools", "scripts", "build", ".ci"];
    // What commands make (and .gitignore lists): named by the docs as outputs.
    static readonly string[] Generated = ["runs/", "BenchmarkDotNet.Artifacts", "/bin/", "/obj/", "bin/", "obj/", "bench/peers/out", "bench/peers/models", "tools/fuzz/.tools", "tests/fixtures/generated"];

    public static IEnumerable<object[]> Docs()
    {
        var files = new List<string> { "README.md" };
        files.AddRange(Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Root, f)));
        foreach (string top in TopLevel.Where(t => Directory.Exists(Path.Combine(Root, t))))
            files.AddRange(Directory.EnumerateFiles(Path.Combine(Root, top), "README.md", SearchOption.AllDirectories)
                .Where(f => !f.Contains("/bin/") && !f.Contains("/obj/")).Select(f => Path.GetRelativePath(Root, f)));
        return files.Distinct().Order().Select(f => new object[] { f });
    }

    /// <summary>Paths a doc names: markdown link targets, and `code` spans that look like a repo path.</summary>
    public static IEnumerable<string> NamedPaths(string text)
    {
        foreach (Match m in Regex.Matches(text, @"\]\(([^)\s#]+)(#[^)]*)?\)"))
            if (!m.Groups[1].Value.Contains("://") && !m.Groups[1].Value.StartsWith("mailto:")) yield return m.Groups[1].Value;
        foreach (Match m in Regex.Matches(text, @"(?<![\w/.~$-])((?:\.\./|\./)*(?:[A-Za-z0-9_.-]+/)+[A-Za-z0-9_.-]*)"))
        {
            string p = m.Groups[1].Value.TrimEnd('.');
            string first = p.TrimStart('.', '/').Split('/')[0];
            if (p.StartsWith("../") || TopLevel.Contains(first) || first is "README.md" or "global.json") yield return p;
        }
    }

    [Theory]
    [MemberData(nameof(Docs))]
    public void Every_repo_path_a_doc_names_exists(string doc)
    {
        string text = File.ReadAllText(Path.Combine(Root, doc));
        string folder = Path.GetDirectoryName(Path.Combine(Root, doc))!;
        var missing = new List<string>();
        foreach (string p in NamedPaths(text).Distinct())
        {
            if (Generated.Any(g => p.Contains(g)) || p.Contains('*') || p.Contains('<') || p.Contains('{')) continue;
            string rel = p.TrimEnd('/');
            var candidates = new[] { Path.GetFullPath(Path.Combine(folder, rel)), Path.GetFullPath(Path.Combine(Root, rel)) };
            if (candidates.Any(c => !c.StartsWith(Root)) && !candidates.Any(c => c.StartsWith(Root) && (File.Exists(c) || Directory.Exists(c))))
                missing.Add($"{p} (outside the repository)");
            else if (!candidates.Any(c => File.Exists(c) || Directory.Exists(c)))
                missing.Add(p);
        }
        Assert.True(missing.Count == 0, $"{doc} names paths that do not exist: {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(Docs))]
    public void Docs_give_release_paths(string doc)
    {
        string text = File.ReadAllText(Path.Combine(Root, doc));
        Assert.DoesNotContain("bin/Debug", text);
        foreach (Match m in Regex.Matches(text, @"dotnet (run|test|build) [^\n`]+"))
            Assert.True(m.Value.Contains("-c Release") || m.Value.Contains("--configuration Release") || m.Value.Contains("--no-build") && m.Value.Contains("Release"),
                $"{doc}: \"{m.Value}\" does not build Release (add -c Release)");
    }
}
