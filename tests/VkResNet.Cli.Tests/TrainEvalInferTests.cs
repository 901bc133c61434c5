using Xunit;

namespace VkResNet.Cli.Tests;

/// <summary>The user's path through the CLI on a slice of Fashion-MNIST: train, then eval and infer the checkpoint.</summary>
public sealed class TrainEvalInferTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), $"vkresnet-cli-{Guid.NewGuid():N}");

    [Fact]
    public void Train_then_eval_then_infer()
    {
        var train = CliRunner.Run(null, "train", "--model", "resnet8", "--epochs", "2", "--batch", "32", "--limit-train", "256",
            "--limit-test", "100", "--out", _dir, "--validation");
        Assert.True(train.ExitCode == 0, train.Stdout + train.Stderr);
        Assert.Contains("test accuracy", train.Stdout);
        Assert.Contains("256 of 60,000 train / 100 of 10,000 test", train.Stdout); // what is used, not what the set holds
        Assert.Contains("ETA ", train.Stdout);
        // Epoch 1's summary prints when epoch 1 ends, before epoch 2 trains.
        int epoch1 = train.Stdout.IndexOf("epoch 1: train loss", StringComparison.Ordinal), epoch2 = train.Stdout.IndexOf("epoch 2/2 step", StringComparison.Ordinal);
        Assert.True(epoch1 >= 0 && epoch2 > epoch1, train.Stdout);
        var rows = File.ReadAllLines(Path.Combine(_dir, "metrics.csv"));
        Assert.Equal("step,epoch,phase,loss,accuracy,top5_accuracy,lr,images_per_s,seconds", rows[0]);
        Assert.Equal(16, rows.Count(r => r.Contains(",train,")));
        Assert.Equal(2, rows.Count(r => r.Contains(",test,")));
        string ckpt = Path.Combine(_dir, "checkpoint.safetensors");
        Assert.True(File.Exists(ckpt));

        var eval = CliRunner.Run(null, "eval", "-c", ckpt, "--limit", "100", "--batch", "50");
        Assert.True(eval.ExitCode == 0, eval.Stdout + eval.Stderr);
        Assert.Contains("top-1 error", eval.Stdout);
        Assert.Contains("Ankle boot", eval.Stdout);

        var infer = CliRunner.Run(null, "infer", "--index", "0", "-c", ckpt);
        Assert.True(infer.ExitCode == 0, infer.Stdout + infer.Stderr);
        Assert.Contains("true class: 9 Ankle boot", infer.Stdout);

        using var evalJson = System.Text.Json.JsonDocument.Parse(CliOk("eval", "-c", ckpt, "--limit", "100", "--batch", "50", "--json"));
        Assert.Equal(100, evalJson.RootElement.GetProperty("images").GetInt32());
        Assert.InRange(evalJson.RootElement.GetProperty("top1Error").GetDouble(), 0, 1);
        Assert.Equal(10, evalJson.RootElement.GetProperty("confusion").GetArrayLength());
        using var inferJson = System.Text.Json.JsonDocument.Parse(CliOk("infer", "--index", "0", "-c", ckpt, "--json"));
        Assert.Equal(9, inferJson.RootElement.GetProperty("trueClass").GetInt32());
        Assert.Equal(5, inferJson.RootElement.GetProperty("top").GetArrayLength());
        Assert.InRange(inferJson.RootElement.GetProperty("top")[0].GetProperty("probability").GetDouble(), 0, 1);
    }

    [Fact]
    public void Degradation_experiment_trains_four_models_and_draws_their_curves_in_one_svg()
    {
        var r = CliRunner.Run(null, "experiment", "degradation", "--depths", "8,14", "--epochs", "2", "--batch", "32",
            "--limit-train", "128", "--limit-test", "64", "--out", _dir);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        foreach (var model in new[] { "plain8", "plain14", "resnet8", "resnet14" })
        {
            Assert.Contains(model, r.Stdout);
            Assert.True(File.Exists(Path.Combine(_dir, model, "metrics.csv")), $"{model}/metrics.csv is missing");
        }
        string svg = File.ReadAllText(Path.Combine(_dir, "degradation.svg"));
        Assert.StartsWith("<?xml", svg);
        foreach (var model in new[] { "plain8", "plain14", "resnet8", "resnet14" }) Assert.Contains(model, svg);
    }

    [Theory]
    [InlineData("eval -c /nonexistent/ckpt.safetensors", "No checkpoint at /nonexistent/ckpt.safetensors")]
    [InlineData("train --model resnet7", "depth 7 is neither")]
    [InlineData("train --epochs 0", "--epochs 0 is out of range: 1 to 100000")]
    [InlineData("train --data cifar10", "--data cifar10 needs --data-dir")]
    [InlineData("summary resnet50 --input 3x224", "is not CxHxW")]
    public void Bad_input_is_one_clear_message_and_a_nonzero_exit(string args, string message)
    {
        var r = CliRunner.Run(null, args.Split(' '));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains(message, r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void A_file_that_is_not_a_checkpoint_is_refused()
    {
        Directory.CreateDirectory(_dir);
        string bogus = Path.Combine(_dir, "bogus.safetensors");
        File.WriteAllBytes(bogus, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        var r = CliRunner.Run(null, "infer", "--index", "0", "-c", bogus);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("bogus.safetensors", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    static string CliOk(params string[] args)
    {
        var r = CliRunner.Run(null, args);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        return r.Stdout;
    }

    [Fact]
    public void Summary_json_has_the_published_parameter_count()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(CliOk("summary", "resnet50", "--json"));
        Assert.Equal(25_557_032, doc.RootElement.GetProperty("parameters").GetInt64());
        Assert.True(doc.RootElement.GetProperty("stages").GetArrayLength() > 4);
    }

    [Fact]
    public void Tune_measures_into_the_cache_and_graph_kernels_then_reads_it_back()
    {
        var env = new Dictionary<string, string> { ["VKRESNET_TUNE"] = "full", ["VKRESNET_CACHE_DIR"] = _dir, ["VKRESNET_TUNE_BUDGET_S"] = "60" };
        var tune = CliRunner.Run(env, "tune", "resnet8", "--input", "1x12x12", "--batch", "2");
        Assert.True(tune.ExitCode == 0, tune.Stderr);
        Assert.Matches(@"tuning: \d+ conv keys: [1-9]\d* measured", tune.Stdout);
        Assert.Single(Directory.GetFiles(_dir, "tuning-*.json"));
        var graph = CliRunner.Run(env, "graph", "resnet8", "--input", "1x12x12", "--batch", "2", "--kernels");
        Assert.True(graph.ExitCode == 0, graph.Stderr);
        Assert.Contains(" 0 measured", graph.Stdout);
        Assert.Contains("layer1.0.conv1", graph.Stdout);
        Assert.Contains("cached", graph.Stdout);
    }

    [Fact]
    public void Tune_train_fills_every_key_train_compiles_so_a_cached_train_falls_back_to_no_rule()
    {
        // tune's input defaults to train's (Fashion-MNIST 1x28x28); --train tunes the step and the evaluation graph train compiles.
        var env = new Dictionary<string, string> { ["VKRESNET_TUNE"] = "full", ["VKRESNET_CACHE_DIR"] = _dir, ["VKRESNET_TUNE_BUDGET_S"] = "600" };
        var tune = CliRunner.Run(env, "tune", "resnet8", "--train", "--batch", "16", "--eval-batch", "20");
        Assert.True(tune.ExitCode == 0, tune.Stdout + tune.Stderr);
        Assert.Contains("1x28x28 training batch 16: compiled and tuned", tune.Stdout);
        Assert.Contains("1x28x28 evaluation batch 20: compiled and tuned", tune.Stdout);
        var train = CliRunner.Run(new Dictionary<string, string>(env) { ["VKRESNET_TUNE"] = "cached" }, "train", "--model", "resnet8", "--epochs", "1",
            "--batch", "16", "--limit-train", "32", "--limit-test", "20", "--out", Path.Combine(_dir, "run"));
        Assert.True(train.ExitCode == 0, train.Stdout + train.Stderr);
        // Every key of both graphs came from the cache: none measured (cached mode times nothing), none left to the fixed rules.
        Assert.Matches(@"tuning  step: [1-9]\d* conv keys: 0 measured, [1-9]\d* from the cache, 0 by the fixed rules.*; evaluation: [1-9]\d* conv keys: 0 measured, [1-9]\d* from the cache, 0 by the fixed rules", train.Stdout);
    }

    [Fact]
    public void A_bad_tuning_mode_is_one_clear_message_and_a_nonzero_exit()
    {
        var r = CliRunner.Run(new Dictionary<string, string> { ["VKRESNET_TUNE"] = "fast" }, "tune", "resnet8", "--input", "1x12x12");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("VKRESNET_TUNE=fast is not a tuning mode", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void Summary_prints_the_published_parameter_count()
    {
        var r = CliRunner.Run(null, "summary", "resnet50");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("25,557,032", r.Stdout);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
