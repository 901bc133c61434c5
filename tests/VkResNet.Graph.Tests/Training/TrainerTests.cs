using VkResNet.Graph.Data;
using VkResNet.Graph.IO;
using VkResNet.Graph.Reporting;
using VkResNet.Graph.Training;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Training;

/// <summary>The trainer end to end on a slice of Fashion-MNIST: files, resume, and a diverging loss.</summary>
[Collection(GpuCollection.Name)]
public sealed class TrainerTests(GpuFixture gpu) : GpuTest(gpu), IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), $"vkresnet-trainer-{Guid.NewGuid():N}");

    static (Dataset Train, Dataset Test) Data()
    {
        Assert.True(Directory.Exists(Dataset.DefaultFashionMnistFolder),
            $"Fashion-MNIST is missing at {Dataset.DefaultFashionMnistFolder}: run scripts/setup.sh (apt-get install dataset-fashion-mnist).");
        return (Dataset.LoadFashionMnist(train: true).Take(256), Dataset.LoadFashionMnist(train: false).Take(100));
    }

    TrainOptions Recipe(int epochs, double lr = 0.05) => new()
    {
        Model = "resnet8", Epochs = epochs, BatchSize = 32, EvalBatchSize = 50, LearningRate = lr, Schedule = "constant",
        OutputDirectory = _dir, Seed = 5,
    };

    [Fact]
    public void Training_writes_checkpoint_metrics_and_plot_and_resumes_where_it_stopped()
    {
        var (train, test) = Data();
        using (var first = new Trainer(Device, Recipe(epochs: 1), train, test))
        {
            var r = first.Run();
            Assert.Single(r);
            Assert.True(double.IsFinite(r[0].TrainLoss) && r[0].TrainLoss < 2.5, $"epoch 1: {r[0]}");
        }
        Assert.Equal(1, Checkpoint.Load(Path.Combine(_dir, "checkpoint.safetensors")).Epoch);
        var rows = MetricsCsv.Read(Path.Combine(_dir, "metrics.csv"));
        // 8 steps per epoch, a row every max(1, 8/50) = 1 steps, then the test row
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), rows.Where(r => r.Phase == MetricsRow.Train).Select(r => r.Step));
        var testRow = Assert.Single(rows, r => r.Phase == MetricsRow.Test);
        Assert.Equal(8, testRow.Step);
        Assert.InRange(testRow.Accuracy, 0, 1);
        Assert.All(rows.Where(r => r.Phase == MetricsRow.Train), r => Assert.True(double.IsFinite(r.Loss) && r.ImagesPerSecond > 0 && r.LearningRate > 0, r.ToString()));
        Assert.True(File.Exists(Path.Combine(_dir, "curves.svg")));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp*"));

        using var second = new Trainer(Device, Recipe(epochs: 2) with { Resume = true, Extend = true, MetricsEvery = 3 }, train, test);
        var ended = new List<int>();
        var resumed = second.Run(epochEnded: e => ended.Add(e.Epoch));
        Assert.Equal([2], ended);
        Assert.Single(resumed);
        Assert.Equal(2, resumed[0].Epoch);
        var ckpt = Checkpoint.Load(Path.Combine(_dir, "checkpoint.safetensors"));
        Assert.Equal(2, ckpt.Epoch);
        Assert.Equal(16, ckpt.Step); // 2 epochs x 256/32 steps
        Assert.NotEmpty(ckpt.OptimizerState);
        var all = MetricsCsv.Read(Path.Combine(_dir, "metrics.csv"));
        Assert.Equal([11L, 14L, 16L], all.Where(r => r.Epoch == 2 && r.Phase == MetricsRow.Train).Select(r => r.Step)); // every 3 steps and the last
        Assert.Equal(2, all.Count(r => r.Phase == MetricsRow.Test));
    }

    [Fact]
    public void A_diverging_loss_stops_the_run_naming_the_step_and_keeps_the_last_good_checkpoint()
    {
        var (train, test) = Data();
        using (var first = new Trainer(Device, Recipe(epochs: 1), train, test)) first.Run();
        byte[] good = File.ReadAllBytes(Path.Combine(_dir, "checkpoint.safetensors"));

        using var wild = new Trainer(Device, Recipe(epochs: 2, lr: 1e12), train, test);
        var e = Assert.Throws<DivergedException>(() => wild.Run());
        Assert.Matches(@"at step \d+", e.Message);
        Assert.Contains("last good checkpoint", e.Message);
        Assert.Equal(good, File.ReadAllBytes(Path.Combine(_dir, "checkpoint.safetensors")));
    }

    [Fact]
    public void A_tiny_model_learns_a_fixed_batch()
    {
        // One batch of 32 images, seen 30 times: a model that learns drives the loss far below chance (ln 10 = 2.30).
        var (train, test) = Data();
        var options = Recipe(epochs: 30) with { Schedule = "constant", LearningRate = 0.05, EvaluateEveryEpoch = false };
        using var t = new Trainer(Device, options, train.Take(32), test.Take(32));
        var r = t.Run();
        Assert.True(r[0].TrainLoss > 1.5, $"the first step's loss {r[0].TrainLoss} should be near chance");
        Assert.True(r[^1].TrainLoss < 0.5, $"after 30 steps on one batch the loss is {r[^1].TrainLoss}; losses: {string.Join(", ", r.Select(e => e.TrainLoss.ToString("F3")))}");
    }

    /// <summary>Cancels the run when the given epoch starts (synchronously, unlike Progress&lt;T&gt;): a stand-in for a kill between epochs.</summary>
    sealed class StopAtEpoch(int epoch, CancellationTokenSource cancel) : IProgress<TrainProgress>
    {
        public void Report(TrainProgress p) { if (p.Epoch >= epoch) cancel.Cancel(); }
    }

    [Fact]
    public void Resume_with_the_one_cycle_schedule_equals_an_uninterrupted_run_bit_for_bit()
    {
        var (all, allTest) = Data();
        var (train, test) = (all.Take(64), allTest.Take(50));
        var recipe = Recipe(epochs: 3) with { Schedule = "onecycle", LearningRate = 0.1 };
        string straight = Path.Combine(_dir, "straight"), stopped = Path.Combine(_dir, "stopped");
        using (var t = new Trainer(Device, recipe with { OutputDirectory = straight }, train, test)) t.Run();
        using (var cts = new CancellationTokenSource())
        using (var t = new Trainer(Device, recipe with { OutputDirectory = stopped }, train, test))
            Assert.ThrowsAny<OperationCanceledException>(() => t.Run(new StopAtEpoch(2, cts), cts.Token));
        Assert.Equal(1, Checkpoint.Load(Path.Combine(stopped, "checkpoint.safetensors")).Epoch);

        var longer = recipe with { OutputDirectory = stopped, Resume = true, Epochs = 4 };
        using (var t = new Trainer(Device, longer, train, test))
            Assert.Contains("--extend", Assert.Throws<Edge.UsageException>(() => t.Run()).Message);
        using (var t = new Trainer(Device, recipe with { OutputDirectory = stopped, Resume = true }, train, test)) t.Run();

        var a = SafeTensorsFile.Read(Path.Combine(straight, "checkpoint.safetensors"));
        var b = SafeTensorsFile.Read(Path.Combine(stopped, "checkpoint.safetensors"));
        Assert.Equal(a.Tensors.Select(x => x.Name).Order(), b.Tensors.Select(x => x.Name).Order());
        var differ = a.Tensors.Where(x => !a.GetBytes(x.Name).SequenceEqual(b.GetBytes(x.Name))).Select(x => x.Name).ToList();
        Assert.True(differ.Count == 0, $"{differ.Count} tensors differ after resume: {string.Join(", ", differ.Take(5))}");
        // The resumed log holds the same rows as the straight one: the killed run's rows after its checkpoint were dropped.
        static IEnumerable<(long, int, string, double, double)> Rows(string dir) =>
            MetricsCsv.Read(Path.Combine(dir, "metrics.csv")).Select(r => (r.Step, r.Epoch, r.Phase, r.Loss, r.LearningRate));
        Assert.Equal(Rows(straight), Rows(stopped));
        Assert.Equal(3, Rows(stopped).Count(r => r.Item3 == MetricsRow.Test));
    }

    public override void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        base.Dispose();
    }
}
