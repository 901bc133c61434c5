using VkResNet.Graph.Edge;
using VkResNet.Graph.IO;
using VkResNet.Graph.Models;
using VkResNet.Graph.Training;
using Xunit;

namespace VkResNet.Cli.Tests;

/// <summary>
/// Issue 18 at the command line: every failure is one message and a documented exit code (ExitCodes), checked
/// before any device work where it can be; --verbose adds the trace; the real out-of-memory path exits 4.
/// </summary>
public sealed class RobustnessTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), $"vkresnet-robust-{Guid.NewGuid():N}");

    public RobustnessTests() => Directory.CreateDirectory(_dir);

    static void AssertOneMessage(CliRunner.Result r, int code, string message)
    {
        Assert.True(r.ExitCode == code, $"exit {r.ExitCode}, expected {code}\nstdout: {r.Stdout}\nstderr: {r.Stderr}");
        Assert.True(r.Stderr.Contains(message), $"stderr lacks \"{message}\": {r.Stderr}");
        Assert.StartsWith("vkresnet: ", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Theory]
    [InlineData("eval --batch 0", "--batch 0 is out of range: 1 to 1024")]
    [InlineData("eval --batch 10000", "--batch 10000 is out of range: 1 to 1024")]
    [InlineData("eval --ten-crop 0", "--ten-crop 0 is out of range: a crop side from 1 to 28")]
    [InlineData("eval --ten-crop 100", "--ten-crop 100 is out of range")]
    [InlineData("eval --ten-crop 24 --batch 250", "--batch 250 is out of range: 1 to 102")]
    [InlineData("eval --limit 0", "--limit 0 is out of range: at least 1 image")]
    [InlineData("eval --limit -1", "--limit -1 is out of range")]
    [InlineData("train --limit-train 0", "--limit-train 0 is out of range")]
    [InlineData("train --limit-test -5", "--limit-test -5 is out of range")]
    [InlineData("train --lr -1", "--lr -1 is out of range: a finite rate in (0, 10]")]
    [InlineData("train --lr nan", "--lr NaN is out of range")]
    [InlineData("train --momentum 1", "--momentum 1 is out of range")]
    [InlineData("train --weight-decay -0.1", "--weight-decay -0.1 is out of range")]
    [InlineData("train --warmup 9", "--warmup 9 is out of range: 0 to --epochs (3)")]
    [InlineData("train --batch 5000", "--batch 5000 is out of range: 1 to 1024")]
    [InlineData("train --schedule linear", "Unknown learning-rate schedule \"linear\"")]
    [InlineData("train --extend", "--extend only goes with --resume")]
    [InlineData("train --sync-bn", "--sync-bn needs --distributed: it sums the BN statistics over the ranks of an MPI job")]
    [InlineData("bench --train --sync-bn", "--sync-bn needs --distributed")]
    [InlineData("train --limit-train 10 --batch 32", "--batch 32 is larger than the 10 training images")]
    [InlineData("graph resnet20 --batch 0", "--batch 0 is out of range: at least 1 image")]
    [InlineData("graph resnet20 --batch -3", "--batch -3 is out of range: at least 1 image")]
    public void Out_of_range_options_are_usage_errors_before_any_device_work(string args, string message)
    {
        var r = CliRunner.Run(new Dictionary<string, string> { ["VKRESNET_VULKAN_LIBRARY"] = "/nonexistent/libvulkan.so" }, [.. args.Split(' '), .. args.StartsWith("train") ? new[] { "-o", _dir } : []]);
        AssertOneMessage(r, ExitCodes.Usage, message);  // no Vulkan loader here: any device work would have exited 3
    }

    // Every switch is read and checked at the edge, before any work: the plan `graph` would print, the device, the data.
    [Theory]
    [InlineData("VKRESNET_TUNE", "fast", "graph resnet8 --input 1x12x12", "VKRESNET_TUNE=fast is not a tuning mode; use off, cached or full.")]
    [InlineData("VKRESNET_TUNE_BUDGET_S", "-1", "graph resnet8 --input 1x12x12", "VKRESNET_TUNE_BUDGET_S=-1 is not a number of seconds")]
    [InlineData("VKRESNET_FULL_BARRIERS", "yes", "summary resnet8", "VKRESNET_FULL_BARRIERS=yes is not an on/off switch")]
    [InlineData("VKRESNET_WINOGRAD", "auto", "devices", "VKRESNET_WINOGRAD=auto is not an on/off switch")]
    [InlineData("VKRESNET_VALIDATION", "on", "train --epochs 1", "VKRESNET_VALIDATION=on is not an on/off switch; use 1, strict or true")]
    [InlineData("VKRESNET_KERNEL_VARIANT", "fpga", "eval --limit 10", "VKRESNET_KERNEL_VARIANT=fpga is not a kernel variant")]
    [InlineData("VKRESNET_TIMEOUT_S", "soon", "infer --index 0", "VKRESNET_TIMEOUT_S=soon is not a number of seconds")]
    public void A_bad_switch_is_one_message_and_exit_2_before_anything_is_printed(string name, string value, string args, string message)
    {
        var r = CliRunner.Run(new Dictionary<string, string> { [name] = value }, [.. args.Split(' '), .. args.StartsWith("train") ? new[] { "-o", _dir } : []]);
        AssertOneMessage(r, ExitCodes.Usage, message);
        Assert.Equal("", r.Stdout);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void An_unknown_option_is_a_usage_error() => Assert.Equal(ExitCodes.Usage, CliRunner.Run(null, "train", "--bogus").ExitCode);

    [Fact]
    public void A_read_only_run_folder_is_an_io_error_before_any_device_work()
    {
        var r = CliRunner.Run(null, "train", "-o", "/proc/vkresnet-read-only-run");
        AssertOneMessage(r, ExitCodes.IO, "Cannot write to the folder /proc/vkresnet-read-only-run");
    }

    /// <summary>A checkpoint as vkresnet-import would write it, for any spec, with zero weights (enough to check shapes).</summary>
    string Write(ResNetSpec spec, string name, IReadOnlyDictionary<string, string>? metadata = null, string? modelName = null)
    {
        var model = ResNetBuilder.Build(spec, 1, ResNetMode.Infer, new ResNetBuildOptions(OptimizeInference: false));
        var tensors = model.Graph.ReferencedTensors().Where(t => t.Kind is Graph.Ir.TensorKind.Parameter or Graph.Ir.TensorKind.RunningStat)
            .Select(t => new NamedTensor(t.Name, t.Shape.Dims.ToArray(), new float[t.Shape.Dims.ToArray().Aggregate(1, (a, d) => a * d)])).ToList();
        string path = Path.Combine(_dir, name);
        new Checkpoint
        {
            ModelName = modelName ?? spec.Name, Parameters = tensors,
            Metadata = metadata ?? new Dictionary<string, string> { ["input"] = $"{spec.InputChannels}x{spec.InputHeight}x{spec.InputWidth}" },
        }.Save(path);
        return path;
    }

    [Fact]
    public void Eval_with_a_checkpoint_of_another_input_shape_or_architecture_is_a_bad_input()
    {
        string cifar = Write(ResNetSpec.Cifar(20).WithInput(3, 32, 32), "cifar.safetensors");
        AssertOneMessage(CliRunner.Run(null, "eval", "-c", cifar, "--limit", "10"), ExitCodes.BadInput, "holds a cifar-resnet20 for 3x32x32 images; fashion-mnist/test has 1x28x28");
        string r18 = Write(ResNetSpec.ResNet18(), "r18.safetensors");  // the torchvision import of issue 18: 3x224x224, 1000 classes
        AssertOneMessage(CliRunner.Run(null, "eval", "-c", r18, "--limit", "10"), ExitCodes.BadInput, "holds a resnet18 for 3x224x224 images");
        string lying = Write(ResNetSpec.Cifar(8).WithInput(1, 28, 28), "lying.safetensors", modelName: "resnet14");  // says resnet14, holds resnet8
        AssertOneMessage(CliRunner.Run(null, "eval", "-c", lying, "--limit", "10"), ExitCodes.BadInput, "does not fit model resnet14");
    }

    [Theory]
    [InlineData("normalization_mean", "x", "is not a list of 1 finite numbers")]
    [InlineData("normalization_std", "-1", "finite positive numbers")]
    [InlineData("input", "1x28", "is not CxHxW")]
    public void Eval_and_infer_check_checkpoint_metadata(string key, string value, string message)
    {
        var meta = new Dictionary<string, string> { ["input"] = "1x28x28", ["normalization_mean"] = "0.2", ["normalization_std"] = "0.3", [key] = value };
        string path = Write(ResNetSpec.Cifar(8).WithInput(1, 28, 28), "meta.safetensors", meta);
        AssertOneMessage(CliRunner.Run(null, "eval", "-c", path, "--limit", "10"), ExitCodes.BadInput, message);
        AssertOneMessage(CliRunner.Run(null, "infer", "--index", "0", "-c", path), ExitCodes.BadInput, message);
    }

    [Fact]
    public void A_checkpoint_with_a_flipped_byte_is_refused_and_verbose_prints_the_trace()
    {
        string path = Write(ResNetSpec.Cifar(8).WithInput(1, 28, 28), "flipped.safetensors");
        byte[] b = File.ReadAllBytes(path);
        b[b.Length / 2 + b.Length / 4] ^= 0x04;  // in the tensor data
        File.WriteAllBytes(path, b);
        AssertOneMessage(CliRunner.Run(null, "eval", "-c", path, "--limit", "10"), ExitCodes.BadInput, "is corrupt: its checksum is sha256:");
        var verbose = CliRunner.Run(null, "eval", "-c", path, "--limit", "10", "--verbose");
        Assert.Equal(ExitCodes.BadInput, verbose.ExitCode);
        Assert.Contains("   at VkResNet.Graph.IO.Checkpoint.Load", verbose.Stderr);
    }

    [Fact]
    public void An_unexpected_exception_is_exit_70_with_a_hint_and_the_trace_only_with_verbose()
    {
        static int Bug(string[] _) => throw new InvalidOperationException("the plan has a cycle");
        var quiet = new StringWriter();
        Assert.Equal(ExitCodes.Internal, TopLevel.Run("vkresnet", [], Bug, stderr: quiet));
        Assert.Contains("vkresnet: internal error (InvalidOperationException): the plan has a cycle", quiet.ToString());
        Assert.Contains("re-run with --verbose", quiet.ToString());
        Assert.DoesNotContain("   at ", quiet.ToString());
        var loud = new StringWriter();
        Assert.Equal(ExitCodes.Internal, TopLevel.Run("vkresnet", ["--verbose"], Bug, stderr: loud));
        Assert.Contains("   at ", loud.ToString());
    }

    [Fact]
    public void Out_of_memory_through_the_real_vkAllocateMemory_path_exits_4()
    {
        // The address space is capped (ulimit -v) a little above what the process needs to start a device, so lavapipe's
        // malloc inside vkAllocateMemory fails for the 1.5 GB training arena (below the 2 GiB heap: no size pre-check trips).
        string exe = Path.Combine(AppContext.BaseDirectory, "vkresnet.dll");
        long baseline = PeakVirtualKiB($"dotnet {exe} devices");
        var r = CliRunner.Run(null, ["train", "--model", "resnet50", "--batch", "1024", "--limit-train", "1024", "--limit-test", "16", "--epochs", "1", "-o", _dir],
            addressSpaceKiB: baseline + 1_200_000);
        AssertOneMessage(r, ExitCodes.OutOfMemory, "Out of device memory: could not allocate");
    }

    static long PeakVirtualKiB(string command)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("bash", ["-c", $"DOTNET_GCHeapHardLimit=0x10000000 {command} > /dev/null 2>&1 & p=$!; m=0; " +
            "while kill -0 $p 2>/dev/null; do v=$(awk '/VmSize/{print $2}' /proc/$p/status 2>/dev/null); [ -n \"$v\" ] && [ \"$v\" -gt \"$m\" ] && m=$v; sleep 0.05; done; echo $m"])
            { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        long kib = long.Parse(output.Trim());
        Assert.True(kib > 100_000, $"could not measure the virtual size of `{command}`: {output}");
        return kib;
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
