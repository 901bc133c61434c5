using System.Diagnostics;
using VkResNet.Graph.IO;
using Xunit;

namespace VkResNet.Distributed.Tests;

/// <summary>
/// Data-parallel training as users run it: <c>mpirun -np 2 vkresnet train --distributed</c>, both ranks on lavapipe,
/// against one device with <c>--accumulate</c>; resume; a rank killed or stopped mid-epoch; drift on purpose.
/// </summary>
public sealed class DataParallelTrainingTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), $"vkresnet-mpi-{Guid.NewGuid():N}");

    string Out(string name) => Path.Combine(_dir, name);

    static string[] Train(string outDir, params string[] extra) => TrainEpochs(outDir, 1, extra);

    static string[] TrainEpochs(string outDir, int epochs, params string[] extra) =>
        ["train", "--out", outDir, "--limit-test", "16", "--epochs", epochs.ToString(), "--validation", .. extra];

    static void AssertOk(MpiRun.Result r) => Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}:\n{r.Output}");

    /// <summary>Every parameter and momentum buffer of two checkpoints within <paramref name="relative"/> (of the tensor's largest value).</summary>
    static void AssertSameWeights(string a, string b, double relative, bool withRunningStats = false)
    {
        var x = Checkpoint.Load(a);
        var y = Checkpoint.Load(b);
        int compared = 0;
        foreach (var t in x.Parameters.Concat(x.OptimizerState))
        {
            if (!withRunningStats && (t.Name.Contains("running_", StringComparison.Ordinal) || t.Name.Contains("num_batches", StringComparison.Ordinal))) continue;
            var u = y.FindParameter(t.Name) ?? y.FindOptimizerState(t.Name);
            Assert.True(u != null, $"{b} has no '{t.Name}'");
            Assert.Equal(t.Data.Length, u!.Data.Length);
            double scale = Math.Max(1e-12, t.Data.Max(v => Math.Abs((double)v)));
            for (int i = 0; i < t.Data.Length; i++)
            {
                double d = Math.Abs((double)t.Data[i] - u.Data[i]);
                Assert.True(d <= relative * scale, $"'{t.Name}'[{i}]: {t.Data[i]} vs {u.Data[i]} (|d| {d:G3} > {relative} x {scale:G3})");
            }
            compared++;
        }
        Assert.True(compared > 10, $"only {compared} tensors compared");
        Assert.Contains(x.OptimizerState, t => t.Data.Any(v => v != 0)); // momentum moved: the steps ran
    }

    [Fact]
    public void Two_ranks_of_batch_B_equal_one_device_accumulating_two_micro_batches_of_B()
    {
        // 48 images, B = 8: 24 per shard, 3 steps of ResNet-20 either way.
        var common = new[] { "--model", "resnet20", "--batch", "8", "--limit-train", "48", "--schedule", "constant", "--lr", "0.05" };
        var one = MpiRun.Alone(null, Train(Out("one"), [.. common, "--accumulate", "2"])).Wait();
        AssertOk(one);
        Assert.Contains("1 epochs x 3 steps", one.Output);
        // Small buckets (ResNet-20's 1.1 MB of gradients in ~20), so reductions overlap the backward and finish out of step.
        var two = MpiRun.Start(2, Train(Out("two"), [.. common, "--distributed", "--bucket-mb", "0.05"])).Wait();
        AssertOk(two);
        Assert.Contains("1 epochs x 3 steps", two.Output);
        AssertSameWeights(Out("one/checkpoint.safetensors"), Out("two/checkpoint.safetensors"), 1e-5);
    }

    [Fact]
    public void Ranks_hold_identical_weights_after_every_step_and_drift_fails_loudly()
    {
        var args = Train(Out("same"), "--model", "resnet8", "--batch", "8", "--limit-train", "64", "--distributed", "--check-weights-every", "1");
        var same = MpiRun.Start(2, args).Wait();
        AssertOk(same);
        Assert.DoesNotContain("differ", same.Output);

        // Rank 1 steps with another learning rate: the replicas part after the first step, and the check says so.
        var drift = MpiRun.Start(null, (1, args), (1, [.. Train(Out("drift"), "--model", "resnet8", "--batch", "8", "--limit-train", "64",
            "--distributed", "--check-weights-every", "1"), "--lr", "0.3"])).Wait();
        Assert.NotEqual(0, drift.ExitCode);
        Assert.Contains("the weights after step 1 differ between ranks: rank 1", drift.Output);
    }

    [Fact]
    public void Resume_of_a_distributed_run_equals_an_uninterrupted_one()
    {
        var common = new[] { "--model", "resnet8", "--batch", "8", "--limit-train", "64", "--schedule", "constant", "--distributed" };
        AssertOk(MpiRun.Start(2, TrainEpochs(Out("whole"), 2, common)).Wait());
        AssertOk(MpiRun.Start(2, Train(Out("parts"), common)).Wait());
        var resumed = MpiRun.Start(2, [.. TrainEpochs(Out("parts"), 2, common), "--resume", "--extend"]).Wait();  // a constant rate: extending changes no step
        AssertOk(resumed);
        Assert.Equal(2, Checkpoint.Load(Out("parts/checkpoint.safetensors")).Epoch);
        AssertSameWeights(Out("whole/checkpoint.safetensors"), Out("parts/checkpoint.safetensors"), 1e-6, withRunningStats: true);

        // Resuming the finished run: rank 0 has nothing to do, and says so; every rank learns it and ends at once with 0
        // (before, the others waited for rank 0 until --rank-timeout and failed).
        var before = File.ReadAllBytes(Out("parts/checkpoint.safetensors"));
        var again = MpiRun.Start(2, [.. TrainEpochs(Out("parts"), 2, common), "--resume", "--rank-timeout", "300"]).Wait();
        AssertOk(again);
        Assert.Contains("nothing to resume", again.Output);
        Assert.DoesNotContain("did not complete", again.Output);
        Assert.True(again.Seconds < 300, $"the finished run's resume took {again.Seconds:F0} s");
        Assert.Equal(before, File.ReadAllBytes(Out("parts/checkpoint.safetensors")));
    }

    [Theory]
    [InlineData("KILL")]  // a rank dies: mpirun sees it and ends the job, naming the rank
    [InlineData("STOP")]  // a rank hangs: the others' collectives time out and name it
    public void A_rank_that_dies_or_hangs_mid_epoch_ends_the_job_within_the_timeout_and_keeps_the_checkpoint(string signal)
    {
        using var job = MpiRun.Start(2, TrainEpochs(Out("fault"), 3, "--model", "resnet8", "--batch", "8", "--limit-train", "320", "--distributed",
            "--rank-timeout", "15"));
        string ckpt = Out("fault/checkpoint.safetensors");
        var waiting = Stopwatch.StartNew();
        while (!File.Exists(ckpt) && waiting.Elapsed < TimeSpan.FromMinutes(6)) Thread.Sleep(200);
        Assert.True(File.Exists(ckpt), $"no checkpoint after the first epoch:\n{job.Output}");
        Thread.Sleep(3000); // into the second epoch
        var pids = job.RankPids();
        Assert.True(pids.ContainsKey(1), $"rank 1 not found among mpirun's children:\n{job.Output}");
        var killed = Stopwatch.StartNew();
        Process.Start("kill", [$"-{signal}", pids[1].ToString()])!.WaitForExit();
        MpiRun.Result r;
        try { r = job.Wait(TimeSpan.FromSeconds(90)); }
        finally { if (signal == "STOP") Process.Start("kill", ["-KILL", pids[1].ToString()])!.WaitForExit(); }
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(60), $"the job took {killed.Elapsed.TotalSeconds:F0} s to end");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("rank 1", r.Output);
        if (signal == "STOP") // rank 0's own message names the rank that stopped answering
            Assert.Matches(@"rank 0: collective #\d+ \(step \d+\) did not complete within 15 s: rank 1 (never reached it|reached it but does not answer)", r.Output);
        else
        {
            // mpirun names the rank that died, and so does the surviving rank 0 in its own line.
            Assert.Matches(@"process rank 1 .* exited on signal 9", r.Output.Replace("\n", " "));
            Assert.Contains($"rank 0: ended by mpirun because rank 1 (pid {pids[1]}) is gone", r.Output);
        }
        var c = Checkpoint.Load(ckpt); // intact: loads and its checksum holds
        Assert.True(c.Epoch >= 1, r.Output);
        Assert.Contains(c.Parameters, t => t.Name.Contains("weight", StringComparison.Ordinal));
        foreach (var t in c.Parameters.Concat(c.OptimizerState))
            Assert.True(t.Data.All(float.IsFinite), $"'{t.Name}' holds a non-finite value");
        // No rank left behind. The stopped rank got its SIGKILL just above: give the kernel a moment to deliver it.
        static bool Runs(int pid) { try { return Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z "); } catch (IOException) { return false; } }
        var reaping = Stopwatch.StartNew();
        while (pids.Values.Any(Runs) && reaping.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(100);
        foreach (var pid in pids.Values)
            Assert.False(Runs(pid), $"pid {pid} still runs 10 s after the job ended");
        // Nor any other process of this job (an orphaned helper, a rank mpirun did not know): none names the run folder.
        var left = Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out int p) && p != Environment.ProcessId)
            .Where(d => { try { return File.ReadAllText(Path.Combine(d, "cmdline")).Contains(_dir, StringComparison.Ordinal) && Runs(int.Parse(Path.GetFileName(d))); } catch (IOException) { return false; } catch (UnauthorizedAccessException) { return false; } })
            .ToList();
        Assert.True(left.Count == 0, $"left running: {string.Join(", ", left)}");
    }

    [Fact]
    public void Without_MPI_plain_training_works_and_distributed_says_how_to_install_it()
    {
        var noMpi = new Dictionary<string, string> { ["VKRESNET_MPI_LIBRARY"] = "/nonexistent/libmpi.so.40" };
        // The dynamic loader lists every library it opens: plain training must never open libmpi.
        var plain = MpiRun.Alone(new Dictionary<string, string> { ["LD_DEBUG"] = "files" },
            Train(Out("plain"), "--model", "resnet8", "--batch", "8", "--limit-train", "16")).Wait();
        AssertOk(plain);
        Assert.Contains("libvulkan", plain.Output);
        Assert.DoesNotContain("libmpi", plain.Output);
        var dist = MpiRun.Alone(noMpi, Train(Out("dist"), "--model", "resnet8", "--batch", "8", "--limit-train", "16", "--distributed")).Wait();
        Assert.NotEqual(0, dist.ExitCode);
        Assert.Contains("apt-get install openmpi-bin libopenmpi-dev", dist.Output);
        Assert.Single(dist.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Distributed_without_mpirun_says_how_to_start_it_before_MPI_Init_aborts()
    {
        // MPI is installed (the other tests run mpirun): only the launch is missing. MPI_Init would print Open MPI's abort banner.
        var r = MpiRun.Alone(null, Train(Out("alone"), "--model", "resnet8", "--batch", "8", "--limit-train", "16", "--distributed")).Wait();
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}:\n{r.Output}");
        Assert.Contains("vkresnet: --distributed runs as the ranks of an MPI job", r.Output);
        Assert.Contains("mpirun -np N vkresnet train --distributed", r.Output);
        Assert.DoesNotContain("MPI_ABORT", r.Output);
        Assert.Single(r.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(Directory.Exists(Out("alone")), "nothing is written before the job is joined");
    }

    [Theory]
    [InlineData(null, null, false, null)]
    [InlineData("2", "1", true, 1)]
    [InlineData("4", "x", true, null)]
    public void The_launch_contract_is_read_from_the_environment_given(string? size, string? localRank, bool underMpirun, int? expectedLocal)
    {
        var env = new Dictionary<string, string?> { ["OMPI_COMM_WORLD_SIZE"] = size, ["OMPI_COMM_WORLD_LOCAL_RANK"] = localRank };
        var launch = MpiLaunch.FromEnvironment(k => env.GetValueOrDefault(k));
        Assert.Equal(underMpirun, launch.UnderMpirun);
        Assert.Equal(expectedLocal, launch.LocalRank);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
