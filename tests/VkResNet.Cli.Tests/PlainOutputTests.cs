using System.Diagnostics;
using Xunit;

namespace VkResNet.Cli.Tests;

/// <summary>Output that pipes: plain text when redirected, and no escape code at all under NO_COLOR, even on a terminal.</summary>
public sealed class PlainOutputTests
{
    static readonly Dictionary<string, string> ColourTerminal = new() { ["NO_COLOR"] = "", ["TERM"] = "xterm-256color", ["COLORTERM"] = "truecolor" };

    [Theory]
    [InlineData("summary resnet18")]
    [InlineData("devices")]
    [InlineData("graph resnet20 --batch 2")]
    public void Redirected_output_has_no_escape_byte(string args)
    {
        var r = CliRunner.Run(ColourTerminal, args.Split(' '));
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.True(r.Stdout.Length > 100, r.Stdout);
        Assert.DoesNotContain('\u001b', r.Stdout);
        Assert.DoesNotContain('\u001b', r.Stderr);
    }

    [Fact]
    public void Redirected_output_is_not_wrapped_at_80_columns()
    {
        var r = CliRunner.Run(ColourTerminal, "graph", "resnet20", "--device", "0");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        string line = Assert.Single(r.Stdout.Split('\n'), l => l.StartsWith("compiled on "));
        Assert.True(line.Length > 80, line); // the device's name is long: the line would have wrapped
        Assert.Matches(@"\): \d+ dispatches, \d+ barriers", line);
    }

    [Fact]
    public void No_color_on_a_terminal_has_no_escape_byte_not_even_bold()
    {
        Assert.True(File.Exists("/usr/bin/script"), "script(1) from bsdutils gives the pseudo-terminal; install bsdutils");
        string dll = Path.Combine(AppContext.BaseDirectory, "vkresnet.dll");
        var sgr = new System.Text.RegularExpressions.Regex("\u001b\\[[0-9;]*m"); // colour, bold, reset
        Assert.Matches(sgr, OnTerminal(dll, noColor: false)); // the check sees them when they are there
        string plain = OnTerminal(dll, noColor: true);
        Assert.Contains("11,689,512", plain);
        // .NET itself sends the terminal's keypad mode (ESC [?1h ESC =) when it opens a terminal; nothing else may remain.
        string rest = plain.Replace("\u001b[?1h\u001b=", "").Replace("\u001b[?1l\u001b>", "");
        Assert.DoesNotContain('\u001b', rest);
    }

    static string OnTerminal(string dll, bool noColor)
    {
        var psi = new ProcessStartInfo("/usr/bin/script") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-qec", $"dotnet {dll} summary resnet18", "/dev/null" }) psi.ArgumentList.Add(a);
        psi.Environment["TERM"] = "xterm-256color";
        if (noColor) psi.Environment["NO_COLOR"] = "1"; else psi.Environment.Remove("NO_COLOR");
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "summary on a terminal did not finish");
        Assert.True(p.ExitCode == 0, output + p.StandardError.ReadToEnd());
        return output;
    }
}
