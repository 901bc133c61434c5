using System.Diagnostics;

namespace VkResNet.Importer.Tests;

/// <summary>
/// The generated fixtures (tests/fixtures/generated, git-ignored, ~1.5 GB): made on first use by
/// scripts/make-import-fixtures.sh from Debian's python3-torch. If they cannot be made, every test that needs
/// them fails with the command to run, never skips.
/// </summary>
public static class ImportFixtures
{
    public static string RepoRoot { get; } = FindRepoRoot();
    public static string GeneratedDir { get; } = Path.Combine(RepoRoot, "tests", "fixtures", "generated");
    private static readonly Lazy<string?> Made = new(Make, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Full path of a generated fixture, making the set first if it is missing.</summary>
    public static string Get(string name)
    {
        if (Made.Value is { } error) throw new InvalidOperationException(error);
        string p = Path.Combine(GeneratedDir, name);
        if (!File.Exists(p)) throw new InvalidOperationException($"fixture {p} is missing; remake the set with: FORCE=1 scripts/make-import-fixtures.sh");
        return p;
    }

    private static string? Make()
    {
        if (File.Exists(Path.Combine(GeneratedDir, "COMPLETE"))) return null;
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoRoot };
        psi.ArgumentList.Add(Path.Combine(RepoRoot, "scripts", "make-import-fixtures.sh"));
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10))) { p.Kill(entireProcessTree: true); return "scripts/make-import-fixtures.sh did not finish in 10 minutes"; }
        if (p.ExitCode == 0 && File.Exists(Path.Combine(GeneratedDir, "COMPLETE"))) return null;
        return $"the import fixtures in {GeneratedDir} are missing and scripts/make-import-fixtures.sh failed (exit {p.ExitCode}): {stderr.Result.Trim()} {stdout.Result.Trim()}\n" +
               "Make them with: sudo apt-get install -y python3-torch python3-torchvision && scripts/make-import-fixtures.sh";
    }

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "VkResNet.sln"))) return d.FullName;
        throw new InvalidOperationException($"no VkResNet.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>A fresh folder for one test's outputs, deleted afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "vkresnet-import-tests", Guid.NewGuid().ToString("N"));
    public TempDir() => Directory.CreateDirectory(Path);
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public string[] Entries => Directory.GetFileSystemEntries(Path);
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { /* a leftover temp folder is not worth failing a test for */ }
    }
}
