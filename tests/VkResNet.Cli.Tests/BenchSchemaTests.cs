using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;

namespace VkResNet.Cli.Tests;

/// <summary>One small real bench run, shared by the schema and compare tests.</summary>
public sealed class BenchRunFixture : IDisposable
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), $"vkresnet-bench-{Guid.NewGuid():N}");
    public string Json => Path.Combine(Dir, "lavapipe.json");
    public CliRunner.Result Run { get; }

    public BenchRunFixture()
    {
        Directory.CreateDirectory(Dir);
        Run = CliRunner.Run(null, "bench", "--model", "resnet8", "--batch", "1", "-n", "2", "--warmup", "0", "--train", "--profile",
            "--validation", "--json", Json);
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}

public sealed class BenchSchemaTests(BenchRunFixture bench) : IClassFixture<BenchRunFixture>
{
    static string RepoFile(string relative)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "VkResNet.sln"))) return Path.Combine(d.FullName, relative);
        throw new FileNotFoundException("VkResNet.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>field path -> type, from the table in docs/bench-schema.md.</summary>
    static Dictionary<string, string> Documented()
    {
        var fields = new Dictionary<string, string>();
        foreach (string line in File.ReadLines(RepoFile("docs/bench-schema.md")))
        {
            var m = Regex.Match(line, @"^\| `([^`]+)` \| ([^|]+) \|");
            if (m.Success) fields[m.Groups[1].Value] = m.Groups[2].Value.Trim();
        }
        return fields;
    }

    static void Walk(JsonNode? node, string path, Dictionary<string, string> seen, List<string> problems, Dictionary<string, string> doc)
    {
        if (node is JsonObject o)
            foreach (var (k, v) in o)
            {
                string p = path.Length == 0 ? k : $"{path}.{k}";
                if (!doc.TryGetValue(p, out string? type)) { problems.Add($"{p} is not in docs/bench-schema.md"); continue; }
                seen[p] = type;
                if (!TypeMatches(v, type)) problems.Add($"{p} is {v?.GetValueKind().ToString() ?? "null"}, documented as {type}");
                if (v is JsonArray a) foreach (var item in a) Walk(item, p + "[]", seen, problems, doc);
                else Walk(v, p, seen, problems, doc);
            }
    }

    static bool TypeMatches(JsonNode? v, string type)
    {
        if (v is null) return type.EndsWith(" or null");
        string t = type.Replace(" or null", "");
        return v.GetValueKind() switch
        {
            JsonValueKind.String => t == "string",
            JsonValueKind.True or JsonValueKind.False => t == "boolean",
            JsonValueKind.Number => t == "number" || t == "integer" && v.GetValue<double>() == Math.Floor(v.GetValue<double>()),
            JsonValueKind.Object => t == "object",
            JsonValueKind.Array => t.StartsWith("array of ") && v.AsArray().All(x => TypeMatches(x, t["array of ".Length..])),
            _ => false,
        };
    }

    [Fact]
    public void Real_bench_output_has_exactly_the_documented_fields_and_types()
    {
        Assert.True(bench.Run.ExitCode == 0, bench.Run.Stdout + bench.Run.Stderr);
        var doc = Documented();
        Assert.True(doc.Count > 50, $"only {doc.Count} fields parsed from docs/bench-schema.md");
        var seen = new Dictionary<string, string>();
        var problems = new List<string>();
        Walk(JsonNode.Parse(File.ReadAllText(bench.Json)), "", seen, problems, doc);
        problems.AddRange(doc.Keys.Where(k => !seen.ContainsKey(k)).Select(k => $"{k} is documented but not in the output"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>The same run as if made on another device: a hand-edited copy.</summary>
    string OtherDevice(string name, double slower, int? batch = null)
    {
        var json = JsonNode.Parse(File.ReadAllText(bench.Json))!;
        json["device"]!["name"] = name;
        json["device"]!["driverName"] = "NVIDIA";
        json["device"]!["driverVersion"] = "580.95.5";
        json["commit"] = "feedbee";
        json["peakVec4Gflops"] = json["peakVec4Gflops"]!.GetValue<double>() * 100;
        foreach (var r in json["results"]!.AsArray())
        {
            foreach (string f in new[] { "msP50", "msP90", "msP99", "msMean" }) r![f] = r[f]!.GetValue<double>() * slower;
            r!["imagesPerSecond"] = r["imagesPerSecond"]!.GetValue<double>() / slower;
            if (batch is int b) r["batch"] = b;
        }
        string path = Path.Combine(bench.Dir, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    [Fact]
    public void Compare_puts_each_device_in_its_own_column_with_ratios()
    {
        string gpu = OtherDevice("NVIDIA GeForce RTX 4090", slower: 0.5);
        var r = CliRunner.Run(null, "bench", "compare", bench.Json, gpu);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("llvmpipe", r.Stdout);
        Assert.Contains("NVIDIA GeForce RTX 4090", r.Stdout);
        Assert.Contains("commit feedbee", r.Stdout);
        Assert.Contains("x2.00", r.Stdout); // half the time: twice as fast
        foreach (string row in new[] { "p50 ms", "p99 ms", "images/s", "% of own peak" }) Assert.Contains(row, r.Stdout);
        Assert.DoesNotContain("NOT COMPARABLE", r.Stdout);
        Assert.Contains(r.Stdout.Split('\n'), l => l.Length > 80); // a wide table is not wrapped when redirected
    }

    [Fact]
    public void Compare_markdown_marks_a_run_of_another_batch_not_comparable()
    {
        string other = OtherDevice("AMD Radeon RX 7900 XTX", slower: 0.25, batch: 8);
        var r = CliRunner.Run(null, "bench", "compare", bench.Json, other, "--markdown");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        string[] lines = r.Stdout.Split('\n');
        Assert.StartsWith("| measure | run 1: llvmpipe", lines[0]);
        Assert.Contains("AMD Radeon RX 7900 XTX", lines[0]);
        Assert.Contains("NOT COMPARABLE", lines[0]);
        Assert.Matches(@"^\|---\|---:\|---:\|$", lines[1]);
        Assert.Contains(lines, l => l.Contains("batch 8") && l.Contains(" *"));
        Assert.Contains(lines, l => l.Contains("not comparable with run 1"));
        Assert.DoesNotContain(lines, l => l.Contains("batch 8") && l.Contains("(x"));
    }

    [Fact]
    public void Compare_refuses_a_file_that_is_not_a_bench_report()
    {
        string bogus = Path.Combine(bench.Dir, "bogus.json");
        File.WriteAllText(bogus, "{\"schema\": \"something-else\"}");
        var r = CliRunner.Run(null, "bench", "compare", bench.Json, bogus);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("bogus.json", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }
}
