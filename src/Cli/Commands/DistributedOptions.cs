using System.CommandLine;
using VkResNet.Graph.Edge;
using System.Globalization;
using VkResNet.Distributed;
using VkResNet.Distributed.Native;
using VkResNet.Graph.Training;

namespace VkResNet.Cli.Commands;

/// <summary>
/// --accumulate, --distributed and their settings. MPI is loaded only under --distributed (plain training never
/// touches libmpi). Each rank opens the device at its local rank modulo the devices present, unless --device says.
/// </summary>
public sealed class DistributedOptions
{
    /// <summary>Exit code of a rank that ends because another rank died, hung or drifted.</summary>
    public const int RankFailureExit = ExitCodes.PeerLost;

    public Option<int> Accumulate { get; } = new("--accumulate")
    {
        Description = "Gradient accumulation: micro-batches of --batch per optimizer step (the step's batch is --batch x K x ranks)",
        DefaultValueFactory = _ => 1,
    };
    public Option<bool> Distributed { get; } = new("--distributed")
    {
        Description = "Data-parallel training over MPI: start with mpirun -np N vkresnet train --distributed (one rank per device; global batch --batch x N)",
    };
    public Option<double> BucketMb { get; } = new("--bucket-mb")
    {
        Description = "Gradient bucket size in MB: each bucket is all-reduced as soon as backward finished it", DefaultValueFactory = _ => 25.0,
    };
    public Option<int> CheckEvery { get; } = new("--check-weights-every")
    {
        Description = "Distributed debug check: compare a checksum of the weights across ranks every N steps and stop on drift (0: off)",
    };
    public Option<double> RankTimeout { get; } = new("--rank-timeout")
    {
        Description = "Seconds a rank waits for the others in a collective before it names the missing rank and ends the job",
        DefaultValueFactory = _ => 60.0,
    };

    public Option<bool> SyncBn { get; } = new("--sync-bn")
    {
        Description = "With --distributed: SyncBatchNorm, BN batch statistics over the global batch (each BN layer's sums all-reduced in forward and backward)",
    };

    public Option<bool> ScaleLr { get; } = new("--scale-lr")
    {
        Description = "Linear scaling rule (Goyal et al.): --lr is the rate for one --batch; multiply it by micro-batches x ranks (pair with --warmup)",
    };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Accumulate, Distributed, BucketMb, CheckEvery, RankTimeout, SyncBn, ScaleLr })
            c.Options.Add(o);
    }

    /// <summary>Validates the options and applies them to the recipe.</summary>
    public TrainOptions Apply(ParseResult r, TrainOptions options)
    {
        int k = r.GetValue(Accumulate);
        if (k < 1) throw new UserInputException($"--accumulate must be at least 1 (got {k}).");
        double mb = r.GetValue(BucketMb);
        if (!(mb > 0)) throw new UserInputException($"--bucket-mb must be positive (got {mb.ToString(CultureInfo.InvariantCulture)}).");
        int every = r.GetValue(CheckEvery);
        if (every < 0) throw new UserInputException($"--check-weights-every must be 0 or more (got {every}).");
        if (!(r.GetValue(RankTimeout) > 0)) throw new UserInputException("--rank-timeout must be positive seconds.");
        if (!r.GetValue(Distributed) && every > 0) throw new UserInputException("--check-weights-every needs --distributed.");
        bool syncBn = r.GetValue(SyncBn);
        if (syncBn && !r.GetValue(Distributed)) throw new UserInputException(SyncBnNeedsDistributed);
        return options with { Accumulate = k, BucketBytes = (long)(mb * 1048576), CheckEverySteps = every, SyncBatchNorm = syncBn };
    }

    /// <summary>The one line for --sync-bn alone (train and bench).</summary>
    public const string SyncBnNeedsDistributed =
        "--sync-bn needs --distributed: it sums the BN statistics over the ranks of an MPI job (mpirun -np N vkresnet train --distributed --sync-bn).";

    /// <summary>--scale-lr: the learning rate grows with the global batch (known once the ranks are counted).</summary>
    public TrainOptions ScaleLearningRate(ParseResult r, TrainOptions options, IGradientReducer? reducer) =>
        r.GetValue(ScaleLr) ? options with { LearningRate = options.LearningRate * options.Accumulate * (reducer?.WorldSize ?? 1) } : options;

    /// <summary>Joins the MPI job (or explains how to install MPI); null without --distributed.</summary>
    public MpiReducer? Start(ParseResult r)
    {
        return r.GetValue(Distributed) ? StartReducer(TimeSpan.FromSeconds(r.GetValue(RankTimeout)), "train") : null;
    }

    /// <summary>
    /// Loads MPI and joins the job; a missing MPI becomes one message saying how to install it, a process that mpirun did
    /// not start one saying how to start it (<paramref name="command"/>: train or bench --train).
    /// </summary>
    public static MpiReducer StartReducer(TimeSpan timeout, string command)
    {
        string start = $"mpirun -np N vkresnet {command} --distributed ... (N ranks, one per device)";
        try
        {
            // VKRESNET_MPI_LIBRARY was read at the edge (Program); OMPI_COMM_WORLD_* are mpirun's launch contract, read here, once.
            return MpiReducer.Start(new MpiOptions { Timeout = timeout, Library = CommonOptions.Switches.MpiLibrary, Launch = MpiLaunch.FromEnvironment() });
        }
        catch (MpiNotLaunchedException) { throw new UserInputException($"--distributed runs as the ranks of an MPI job, and mpirun did not start this one: start it with {start}."); }
        catch (MpiUnavailableException e) { throw new UserInputException(e.Message); }
        catch (MpiCallException e) { throw new UserInputException($"MPI did not start: {e.Message}. Start the ranks with {start}."); }
    }

    /// <summary>Rank 0's <paramref name="value"/> on every rank (a collective: every rank calls it at the same point).</summary>
    public static bool AgreeOnRoot(IGradientReducer reducer, bool value)
    {
        Span<byte> flag = [value ? (byte)1 : (byte)0];
        reducer.Broadcast(flag);
        return flag[0] != 0;
    }

    /// <summary>The device of a rank: --device when given, else local rank modulo the devices present.</summary>
    public static string? DeviceFor(IGradientReducer? reducer, string? selector, int deviceCount) =>
        reducer == null || selector != null || deviceCount == 0 ? selector : (reducer.LocalRank % deviceCount).ToString(CultureInfo.InvariantCulture);

    /// <summary>Mean step time and its split; with ranks, the all-reduce's exposed share and window.</summary>
    public static void PrintStepTimes(StepTimes total, long steps, bool distributed)
    {
        if (steps == 0) return;
        double ms(double s) => 1000 * s / steps;
        string line = $"steps    {ms(total.Step):F1} ms on average: forward+backward {ms(total.Backward):F1} ms, optimizer {ms(total.Optimizer):F1} ms";
        if (distributed)
            line += $", all-reduce wait after backward {ms(total.ExposedAllReduce):F1} ms ({100 * total.ExposedAllReduce / total.Step:F1}% of the step; " +
                    $"all-reduce window {ms(total.AllReduceWindow):F1} ms from the first bucket's start)";
        if (total.BatchNormAllReduce > 0)
            line += $", sync-bn statistics all-reduces {ms(total.BatchNormAllReduce):F1} ms ({100 * total.BatchNormAllReduce / total.Step:F1}% of the step, inside forward+backward)";
        Console.WriteLine(line);
    }

    /// <summary>Runs a distributed body; a rank failure prints one line naming the rank, then MPI_Abort ends every rank.</summary>
    public static int Guard(MpiReducer? reducer, Func<int> body)
    {
        if (reducer == null) return body();
        try
        {
            int code = body();
            reducer.Dispose();
            return code;
        }
        catch (RankFailureException e)
        {
            Console.Error.WriteLine($"vkresnet: {e.Message}");
            Console.Error.Flush();
            reducer.Abort(RankFailureExit);
            return RankFailureExit;
        }
        catch (Exception e)
        {
            // Any other failure on one rank would leave the others waiting for it: say it, then end them all.
            Console.Error.WriteLine($"vkresnet: rank {reducer.Rank}: {e.Message}");
            Console.Error.Flush();
            int code = TopLevel.Classify(e);
            reducer.Abort(code);
            return code;
        }
    }
}
