using System.Diagnostics;
using Xunit;

namespace VkResNet.Cli.Tests;

/// <summary>--help on every executable, `vkresnet help`, and one --device/--validation pair on every command that opens a device.</summary>
public sealed class HelpTests
{
    /// <summary>This test build's configuration folder (bin/Release/net10.0), to find the other executables built beside it.</summary>
    static string Built(string project, string dll)
    {
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        string tfm = baseDir.Name, config = baseDir.Parent!.Name;
        var root = baseDir;
        while (root != null && !File.Exists(Path.Combine(root.FullName, "VkResNet.sln"))) root = root.Parent;
        Assert.NotNull(root);
        string path = Path.Combine(root!.FullName, project, "bin", config, tfm, dll);
        Assert.True(File.Exists(path), $"{path} is not built: dotnet build VkResNet.sln -c {config}");
        return path;
    }

    static (int Code, string Stdout, string Stderr) Help(string dll)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("--help");
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(1))) { p.Kill(true); throw new TimeoutException($"{dll} --help did not finish"); }
        return (p.ExitCode, stdout, stderr.GetAwaiter().GetResult());
    }

    [Theory]
    [InlineData("src/Cli", "vkresnet.dll", "Usage:")]
    [InlineData("src/Viewer", "vkresnet-viewer.dll", "usage: vkresnet-viewer")]
    [InlineData("samples/RealtimeHost", "vkresnet-realtime-host.dll", "usage: vkresnet-realtime-host")]
    [InlineData("tools/weight-importer", "vkresnet-import.dll", "Usage:")]
    [InlineData("bench", "vkresnet-bench.dll", "usage: dotnet run -c Release --project bench")]
    public void Every_executable_answers_help_with_exit_0(string project, string dll, string expected)
    {
        var (code, stdout, stderr) = Help(Built(project, dll));
        Assert.True(code == 0, $"{dll} --help exited {code}: {stdout}{stderr}");
        Assert.Contains(expected, stdout);
        Assert.DoesNotContain("Unknown option", stdout + stderr);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("eval")]
    [InlineData("infer")]
    [InlineData("bench")]
    [InlineData("graph")]
    [InlineData("tune")]
    [InlineData("experiment degradation")]
    public void Help_command_describes_the_shared_device_options(string command)
    {
        var r = CliRunner.Run(null, ["help", .. command.Split(' ')]);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("--device", r.Stdout);
        Assert.Contains("--validation", r.Stdout);
        Assert.Contains($"vkresnet {command}", r.Stdout);
    }

    [Fact]
    public void Help_for_an_unknown_command_is_one_clear_message()
    {
        var r = CliRunner.Run(null, "help", "tran");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("no command \"tran\"", r.Stderr);
        Assert.Contains("train", r.Stderr);
    }

    [Fact]
    public void Viewer_and_sample_take_the_same_device_options()
    {
        foreach (var (project, dll) in new[] { ("src/Viewer", "vkresnet-viewer.dll"), ("samples/RealtimeHost", "vkresnet-realtime-host.dll") })
        {
            string text = Help(Built(project, dll)).Stdout;
            Assert.Contains("--device", text);
            Assert.Contains("--validation", text);
        }
    }
}
