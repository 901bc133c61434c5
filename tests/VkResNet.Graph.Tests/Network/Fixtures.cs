using System.Text.Json;
using VkResNet.Graph.IO;

namespace VkResNet.Graph.Tests.Network;

/// <summary>The PyTorch fixtures of tests/fixtures (made by tests/reference/make_fixtures.py), read with the project's own safetensors reader.</summary>
public sealed class Fixture
{
    public sealed record Entry(string Name, int[] Shape, int K);

    public SafeTensorsFile File { get; }
    /// <summary>state_dict entries in PyTorch's order with their deterministic-init index k (-1: skipped).</summary>
    public IReadOnlyList<Entry> Parameters { get; }

    Fixture(SafeTensorsFile file)
    {
        File = file;
        using var doc = JsonDocument.Parse(file.Metadata["parameters"]);
        Parameters = doc.RootElement.EnumerateArray()
            .Select(e => new Entry(e[0].GetString()!, e[1].EnumerateArray().Select(d => d.GetInt32()).ToArray(), e[2].GetInt32()))
            .ToList();
    }

    public static Fixture Load(string name) => LoadPath(Path.Combine(Folder, name));
    public static Fixture LoadPath(string path) => new(SafeTensorsFile.Read(path));

    public double[] Get(string name) => File.ReadFloat64(name);
    public bool Has(string name) => File.Contains(name);

    public static string Folder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
                if (System.IO.File.Exists(Path.Combine(dir.FullName, "VkResNet.sln")))
                    return Path.Combine(dir.FullName, "tests", "fixtures");
            throw new DirectoryNotFoundException("tests/fixtures: no VkResNet.sln above the test binary.");
        }
    }
}
