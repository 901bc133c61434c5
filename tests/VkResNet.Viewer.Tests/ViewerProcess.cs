using System.Diagnostics;

namespace VkResNet.Viewer.Tests;

/// <summary>Starts the built vkresnet-viewer (optionally under xvfb-run) as a user would, in a child process.</summary>
public sealed class ViewerProcess : IDisposable
{
    readonly Process _process;
    readonly Task<string> _stdout, _stderr;

    public ViewerProcess(IReadOnlyDictionary<string, string?>? env, string? xvfbServerArgs, params string[] args)
    {
        var psi = new ProcessStartInfo(xvfbServerArgs != null ? "xvfb-run" : "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (xvfbServerArgs != null)
        {
            foreach (string a in (string[])["-a", "-s", xvfbServerArgs, "dotnet"]) psi.ArgumentList.Add(a);
        }
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "vkresnet-viewer.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env != null)
            foreach (var (k, v) in env)
                if (v == null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        _process = Process.Start(psi)!;
        _stdout = _process.StandardOutput.ReadToEndAsync();
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    public bool HasExited => _process.HasExited;

    public (int ExitCode, string Stdout, string Stderr) Wait(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"vkresnet-viewer did not finish within {timeout.TotalMinutes:F0} minutes");
        }
        return (_process.ExitCode, _stdout.Result, _stderr.Result);
    }

    /// <summary>Whether a program is on PATH (for a clear "install xvfb" failure instead of a silent skip).</summary>
    public static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, program)));

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
