using System.Diagnostics;
using System.Text;

namespace VkResNet.Distributed.Tests;

/// <summary>
/// Starts the built <c>vkresnet</c> as a user would: alone, or as the ranks of an Open MPI job
/// (<c>mpirun --oversubscribe</c>, <c>--allow-run-as-root</c> when root), every rank on lavapipe.
/// </summary>
public sealed class MpiRun : IDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();
    readonly Stopwatch _clock = Stopwatch.StartNew();

    public sealed record Result(int ExitCode, string Output, double Seconds);

    static string Vkresnet => Path.Combine(AppContext.BaseDirectory, "vkresnet.dll");

    MpiRun(ProcessStartInfo psi)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        psi.Environment["NO_COLOR"] = "1";
        // The fixed kernel rules: runs compared with each other choose the same kernels, and no test times candidates.
        if (!psi.Environment.ContainsKey("VKRESNET_TUNE")) psi.Environment["VKRESNET_TUNE"] = "off";
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_output) _output.AppendLine(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>mpirun with one program line per rank group: each element is (ranks, vkresnet arguments).</summary>
    public static MpiRun Start(IReadOnlyDictionary<string, string>? env, params (int Ranks, string[] Args)[] groups)
    {
        var psi = new ProcessStartInfo("mpirun");
        if (Environment.UserName == "root") psi.ArgumentList.Add("--allow-run-as-root");
        psi.ArgumentList.Add("--oversubscribe");
        for (int g = 0; g < groups.Length; g++)
        {
            if (g > 0) psi.ArgumentList.Add(":");
            psi.ArgumentList.Add("-np");
            psi.ArgumentList.Add(groups[g].Ranks.ToString());
            psi.ArgumentList.Add("-x");
            psi.ArgumentList.Add("NO_COLOR");
            psi.ArgumentList.Add("-x");
            psi.ArgumentList.Add("VKRESNET_TUNE");
            foreach (var k in env?.Keys ?? Enumerable.Empty<string>()) { psi.ArgumentList.Add("-x"); psi.ArgumentList.Add(k); }
            psi.ArgumentList.Add("dotnet");
            psi.ArgumentList.Add(Vkresnet);
            foreach (var a in groups[g].Args) psi.ArgumentList.Add(a);
        }
        if (env != null) foreach (var (k, v) in env) psi.Environment[k] = v;
        return new MpiRun(psi);
    }

    public static MpiRun Start(int ranks, params string[] args) => Start(null, (ranks, args));

    /// <summary>vkresnet without mpirun.</summary>
    public static MpiRun Alone(IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet");
        psi.ArgumentList.Add(Vkresnet);
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env != null) foreach (var (k, v) in env) psi.Environment[k] = v;
        return new MpiRun(psi);
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    public Result Wait(TimeSpan? limit = null)
    {
        var t = limit ?? TimeSpan.FromMinutes(8);
        if (!_process.WaitForExit(t))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the job did not finish in {t.TotalMinutes:F0} minutes:\n{Output}");
        }
        _process.WaitForExit(); // flushes the output handlers
        return new Result(_process.ExitCode, Output, _clock.Elapsed.TotalSeconds);
    }

    /// <summary>The process ids of the job's ranks (children of mpirun with OMPI_COMM_WORLD_RANK in their environment).</summary>
    public IReadOnlyDictionary<int, int> RankPids()
    {
        var result = new Dictionary<int, int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                var env = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                string? rank = env.FirstOrDefault(kv => kv.StartsWith("OMPI_COMM_WORLD_RANK=", StringComparison.Ordinal))?[21..];
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int ppidField = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
                if (rank != null && IsDescendant(ppidField)) result[int.Parse(rank)] = pid;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return result;
    }

    bool IsDescendant(int pid)
    {
        for (int i = 0; i < 8 && pid > 1; i++)
        {
            if (pid == _process.Id) return true;
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            pid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        return false;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
