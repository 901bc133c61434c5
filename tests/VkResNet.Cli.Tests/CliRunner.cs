using System.Diagnostics;

namespace VkResNet.Cli.Tests;

/// <summary>Runs the built <c>vkresnet</c> as a user would, in a child process with its own environment (tuning off unless <c>env</c> sets VKRESNET_TUNE).</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Run(IReadOnlyDictionary<string, string>? env, params string[] args) => Run(env, args, null);

    /// <summary>With <paramref name="addressSpaceKiB"/>: under <c>ulimit -v</c> (and a GC heap limit, so the runtime starts), to provoke real allocation failures.</summary>
    public static Result Run(IReadOnlyDictionary<string, string>? env, string[] args, long? addressSpaceKiB)
    {
        var psi = new ProcessStartInfo(addressSpaceKiB is null ? "dotnet" : "bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (addressSpaceKiB is long kib)
        {
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add($"ulimit -v {kib} && exec dotnet \"$@\"");
            psi.ArgumentList.Add("vkresnet");
            psi.Environment["DOTNET_GCHeapHardLimit"] = "0x10000000";
        }
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "vkresnet.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["VKRESNET_TUNE"] = "off";   // the fixed rules unless a test asks (tuning would time into the user's cache)
        if (env != null) foreach (var (k, v) in env) if (v.Length == 0) psi.Environment.Remove(k); else psi.Environment[k] = v; // "" unsets
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"vkresnet {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
