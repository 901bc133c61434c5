using VkResNet.Graph.Ops;
using System.Diagnostics;
using Xunit;

namespace VkResNet.Graph.Tests.TorchOps;

/// <summary>Runs the tests/reference PyTorch scripts (fixture checks and fixtures made in CI).</summary>
public static class TorchScripts
{
    /// <summary>Runs a script with Debian's /usr/bin/python3 (where python3-torch lives); a missing torch is a failure with the fix.</summary>
    public static (int Exit, string Output) RunPython(string root, params string[] args)
    {
        const string python = "/usr/bin/python3";
        const string fix = "install PyTorch with: sudo apt-get install -y python3-torch python3-torchvision (scripts/setup.sh does)";
        Assert.True(File.Exists(python), $"{python} is missing; {fix}");
        var psi = new ProcessStartInfo(python) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("import torch");
        using (var probe = Process.Start(psi)!)
        {
            string err = probe.StandardError.ReadToEnd();
            probe.WaitForExit();
            Assert.True(probe.ExitCode == 0, $"{python} cannot import torch ({err.Trim()}); {fix}");
        }
        psi.ArgumentList.Clear();
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            p.Kill(entireProcessTree: true);
            return (-1, $"{string.Join(' ', args)} did not finish in 10 minutes");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
