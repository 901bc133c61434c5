using System.Diagnostics;
using VkResNet.Graph.IO;
using Xunit;
using Xunit.Abstractions;

namespace VkResNet.Cli.Tests;

/// <summary>
/// A real SIGKILL of <c>vkresnet train</c> at random moments around its per-epoch writes (metrics row, checkpoint,
/// plot), at least 20 times (VKRESNET_KILLS=N for more): after every kill the checkpoint is absent or complete
/// (it loads and its checksum holds), the next run removes the temp files the kill left and says so, and
/// <c>--resume</c> after the kills ends in exactly the checkpoint of an uninterrupted run, tensor for tensor, bit for bit.
/// A tiny model on 32 images keeps it to a few minutes.
/// </summary>
public sealed class KillTests(ITestOutputHelper output) : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), $"vkresnet-kill-{Guid.NewGuid():N}");
    const int Epochs = 12;
    static readonly string[] Recipe = ["train", "--model", "resnet8", "--batch", "16", "--limit-train", "32", "--limit-test", "16",
        "--epochs", $"{Epochs}", "--schedule", "onecycle", "--lr", "0.05", "--metrics-every", "1000"];  // two rows an epoch: its last train row, its test row

    [Fact]
    public void Killed_runs_leave_a_complete_checkpoint_or_none_and_resume_equals_an_uninterrupted_run()
    {
        int wanted = int.TryParse(Environment.GetEnvironmentVariable("VKRESNET_KILLS"), out int k) && k > 0 ? k : 20;
        string reference = Path.Combine(_dir, "reference");
        var straight = CliRunner.Run(null, [.. Recipe, "-o", reference]);
        Assert.True(straight.ExitCode == 0, straight.Stdout + straight.Stderr);
        var expected = SafeTensorsFile.Read(Path.Combine(reference, "checkpoint.safetensors"));

        var rng = new Random(18);
        var clock = Stopwatch.StartNew();
        int kills = 0, episodes = 0, absent = 0, complete = 0, tempsLeft = 0, cleaned = 0;
        while (kills < wanted)
        {
            string dir = Path.Combine(_dir, $"episode{episodes++}");
            Directory.CreateDirectory(dir);
            while (true)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(20), $"the kill test ran past 20 minutes ({kills} kills)");
                bool hadTemps = Directory.GetFiles(dir, ".*.tmp").Length > 0;
                bool kill = kills < wanted;
                var (exited, stdout, stderr) = RunAndMaybeKill([.. Recipe, "--resume", "-o", dir], kill ? 2 * (1 + rng.Next(2)) : int.MaxValue, rng.Next(150));
                if (hadTemps && stdout.Contains("cleaned")) cleaned++;
                if (exited is int code)
                {
                    Assert.True(code == 0, $"a resumed run failed (exit {code}): {stdout}\n{stderr}");
                    break;
                }
                kills++;
                string ckpt = Path.Combine(dir, "checkpoint.safetensors");
                if (File.Exists(ckpt))
                {
                    var c = Checkpoint.Load(ckpt);  // throws if partial or corrupt: a complete file or none
                    Assert.InRange(c.Epoch, 1, Epochs);
                    complete++;
                }
                else absent++;
                tempsLeft += Directory.GetFiles(dir, ".*.tmp").Length > 0 ? 1 : 0;
            }
            var actual = SafeTensorsFile.Read(Path.Combine(dir, "checkpoint.safetensors"));
            Assert.Equal(expected.Tensors.Select(t => t.Name).Order(), actual.Tensors.Select(t => t.Name).Order());
            var differ = expected.Tensors.Where(t => !expected.GetBytes(t.Name).SequenceEqual(actual.GetBytes(t.Name))).Select(t => t.Name).ToList();
            Assert.True(differ.Count == 0, $"episode {episodes}: {differ.Count} tensors differ from the uninterrupted run: {string.Join(", ", differ.Take(5))}");
            Assert.Equal(2 * Epochs, File.ReadAllLines(Path.Combine(dir, "metrics.csv")).Length - 1);  // a train and a test row per epoch, none twice
            Assert.Empty(Directory.GetFiles(dir, ".*.tmp"));
        }
        Assert.Equal(tempsLeft, cleaned);  // every leftover temp file was removed by the next run, which said so
        output.WriteLine($"{kills} kills in {episodes} runs resumed to the end ({clock.Elapsed.TotalSeconds:F0} s): checkpoint complete after {complete}, absent after {absent}; " +
                         $"{tempsLeft} kills left temp files, all cleaned; every resumed run equals the uninterrupted one bit for bit");
    }

    /// <summary>
    /// Starts vkresnet; after <paramref name="growths"/> rows were appended to the metrics file (an epoch ended: its checkpoint
    /// and plot are written next) waits <paramref name="delayMs"/> (0-150 ms: before, across and after those writes) and SIGKILLs it. Returns the exit code if it ended by itself.
    /// </summary>
    static (int? Exited, string Stdout, string Stderr) RunAndMaybeKill(string[] args, int growths, int delayMs)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "vkresnet.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["VKRESNET_TUNE"] = "off";   // the fixed rules, as the reference run (CliRunner) has them: same kernels, same bits
        string metrics = Path.Combine(args[^1], "metrics.csv");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        long last = Length(metrics);
        int seen = 0;
        var limit = Stopwatch.StartNew();
        while (!p.HasExited && seen < growths)
        {
            if (limit.Elapsed > TimeSpan.FromMinutes(5)) { p.Kill(); throw new TimeoutException("vkresnet train did not finish an epoch in 5 minutes"); }
            long now = Length(metrics);
            if (now > last && last > 0) seen++;  // a row appended (not the header of a fresh file)
            last = now;
            Thread.Sleep(2);
        }
        bool sent = false;
        if (!p.HasExited)
        {
            Thread.Sleep(delayMs);
            try { p.Kill(); sent = true; } catch (InvalidOperationException) { }  // SIGKILL; it may have ended just now
        }
        p.WaitForExit();
        bool killed = sent && p.ExitCode != 0;  // 137: killed by the signal; 0: it finished just before
        return (killed ? null : p.ExitCode, stdout.Result, stderr.Result);
    }

    static long Length(string path)
    {
        try { return new FileInfo(path).Length; }
        catch (IOException) { return 0; }
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
