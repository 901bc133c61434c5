using VkResNet.Graph.Execution;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Ops;
using VkResNet.Runtime;
using VkResNet.Runtime.Native;
using Xunit;

namespace VkResNet.Graph.Tests.Kernels;

/// <summary>
/// The launchers against their shaders' reflected interfaces, with no GPU: a recording fake checks
/// that each dispatch names an embedded kernel, binds exactly its bindings (texel inputs only read),
/// pushes a struct of the block's size, and launches enough lanes on a grid within device limits.
/// </summary>
public sealed class OpsLauncherTests
{
    private sealed record Call(string Kernel, Access[] Bindings, int PushBytes, uint Gx, uint Gy, uint Gz);

    /// <summary>A recorder that only logs into <paramref name="calls"/>; it has no device, so a launcher that touches one fails.</summary>
    private static CommandRecorder Logging(List<Call> calls) =>
        CommandRecorder.Observing(null, KernelVariant.Cpu, (kernel, bindings, pushBytes, gx, gy, gz) => calls.Add(new Call(kernel, bindings.ToArray(), pushBytes, gx, gy, gz)));

    // A slice that is never dereferenced: launchers only look at sizes.
    private static BufferSlice Slice(long floats) => new(null!, 0, (floats * 4 + 15) / 16 * 16);

    /// <summary>Records one launcher call; returns the lanes it must cover (elements / per-lane work).</summary>
    private static long Record(CommandRecorder r, string op, long scale)
    {
        var s = new NchwShape(3, 13, 9 * (int)scale, 7);
        var pool = new MaxPoolShape(s);
        var sc = new ShortcutZeroPadShape(s, 29);
        long n = s.Count, c = s.C;
        switch (op)
        {
            case "batchnorm_forward_train":
                BatchNormKernels.ForwardTrain(r, s, Slice(n), Slice(c), Slice(c), Slice(n), Slice(c), Slice(c), Slice(c), Slice(c));
                return c * 64;
            case "batchnorm_forward_infer":
                BatchNormKernels.ForwardInfer(r, s, Slice(n), Slice(c), Slice(c), Slice(c), Slice(c), Slice(n));
                return (n + 3) / 4;
            case "batchnorm_backward":
                BatchNormKernels.Backward(r, s, Slice(n), Slice(n), Slice(c), Slice(c), Slice(c), Slice(n), Slice(c), Slice(c));
                return c * 64;
            case "bn_add_relu_forward":
                BatchNormKernels.ForwardTrainAddRelu(r, s, Slice(n), Slice(n), Slice(c), Slice(c), Slice(n), Slice(c), Slice(c), Slice(c), Slice(c));
                return c * 64;
            case "bn_add_relu_backward":
                BatchNormKernels.BackwardAddRelu(r, s, Slice(n), Slice(n), Slice(n), Slice(c), Slice(c), Slice(c), Slice(n), Slice(n), Slice(c), Slice(c));
                return c * 64;
            case "relu_forward":
                ReluOp.Launch(r, n, Slice(n), Slice(n));
                return (n + 3) / 4;
            case "relu_backward":
                ReluBackwardOp.Launch(r, n, Slice(n), Slice(n), Slice(n));
                return (n + 3) / 4;
            case "residual_add":
                AddOp.Launch(r, n, Slice(n), Slice(n), Slice(n));
                return (n + 3) / 4;
            case "accumulate":
                AccumulateOp.Launch(r, n, Slice(n), Slice(n));
                return (n + 3) / 4;
            case "maxpool_forward":
                MaxPoolOp.Launch(r, pool, Slice(n), Slice(pool.Output.Count), Slice(pool.Output.Count));
                return (pool.Output.Count + 3) / 4;
            case "maxpool_backward":
                MaxPoolBackwardOp.Launch(r, pool, Slice(pool.Output.Count), Slice(pool.Output.Count), Slice(n));
                return n;
            case "global_avgpool_forward":
                GlobalAvgPoolOp.Launch(r, s, Slice(n), Slice(s.N * c));
                return s.N * c;
            case "global_avgpool_backward":
                GlobalAvgPoolBackwardOp.Launch(r, s, Slice(s.N * c), Slice(n));
                return (n + 3) / 4;
            case "shortcut_zeropad_forward":
                ShortcutZeroPadOp.Launch(r, sc, Slice(n), Slice(sc.Output.Count));
                return (sc.Output.Count + 3) / 4;
            case "shortcut_zeropad_backward":
                ShortcutZeroPadBackwardOp.Launch(r, sc, Slice(sc.Output.Count), Slice(n));
                return (n + 3) / 4;
            case "softmax_cross_entropy_forward":
                SoftmaxCrossEntropyOp.Launch(r, 7 * (int)scale, 10, Slice(70 * scale), Slice(7 * scale), Slice(2), 0.1f);
                return 64; // one workgroup loops over the batch
            case "softmax_cross_entropy_backward":
                SoftmaxCrossEntropyBackwardOp.Launch(r, 7 * (int)scale, 10, Slice(70 * scale), Slice(7 * scale), Slice(70 * scale));
                return 7 * scale;
            case "sgd_update":
                SgdUpdateOp.Launch(r, n, Slice(n), Slice(1), Slice(n), Slice(n), 0.9f, 1e-4f, nesterov: true);
                return (n + 3) / 4;
            default:
                throw new ArgumentException(op);
        }
    }

    public static TheoryData<string, long> Ops()
    {
        var data = new TheoryData<string, long>();
        foreach (var op in new[]
        {
            "batchnorm_forward_train", "batchnorm_forward_infer", "batchnorm_backward", "bn_add_relu_forward", "bn_add_relu_backward",
            "relu_forward", "relu_backward", "residual_add", "accumulate", "maxpool_forward", "maxpool_backward",
            "global_avgpool_forward", "global_avgpool_backward", "shortcut_zeropad_forward", "shortcut_zeropad_backward",
            "softmax_cross_entropy_forward", "softmax_cross_entropy_backward", "sgd_update",
        })
        {
            data.Add(op, 1);
            data.Add(op, 20000); // ~74M elements: needs the 2-D grid (more than 65535 groups)
        }
        return data;
    }

    [Theory, MemberData(nameof(Ops))]
    public void Launcher_MatchesReflectedKernelInterface(string op, long scale)
    {
        var calls = new List<Call>();
        long lanes = Record(Logging(calls), op, scale);
        var call = Assert.Single(calls);
        Assert.True(call.Kernel == op || call.Kernel == op + "_vec4", $"{op}: dispatched {call.Kernel}");
        AssertMatchesInterface(call, op, scale, lanes);
    }

    public static TheoryData<string, int, int> SplitBatchNorms()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var op in new[] { "batchnorm_forward_train", "batchnorm_backward", "bn_add_relu_forward", "bn_add_relu_backward" })
        {
            data.Add(op, 7, 1); // H*W 63: the scalar kernels
            data.Add(op, 8, 1); // 72: the vec4 kernels
            data.Add(op, 8, 20000); // 1.44M elements a plane, a slice an image
        }
        return data;
    }

    [Theory, MemberData(nameof(SplitBatchNorms))]
    public void Split_batch_norm_launchers_match_their_kernels(string op, int w, int scale)
    {
        var s = new NchwShape(3, 13, 9 * scale, w);
        long n = s.Count, c = s.C;
        var (slices, images) = BatchNormKernels.Split(s, 10 * s.C);
        Assert.True(slices > 1 && images * slices >= s.N && (slices - 1) * images < s.N, $"{op} {s}: split {slices} x {images}");
        var scratch = Slice(BatchNormKernels.ScratchBytes(s, 10 * s.C) / 4);
        var calls = new List<Call>();
        var r = Logging(calls);
        switch (op)
        {
            case "batchnorm_forward_train":
                BatchNormKernels.ForwardTrain(r, s, Slice(n), Slice(c), Slice(c), Slice(n), Slice(c), Slice(c), Slice(c), Slice(c), scratch: scratch, targetGroups: 10 * s.C);
                break;
            case "batchnorm_backward":
                BatchNormKernels.Backward(r, s, Slice(n), Slice(n), Slice(c), Slice(c), Slice(c), Slice(n), Slice(c), Slice(c), scratch, 10 * s.C);
                break;
            case "bn_add_relu_forward":
                BatchNormKernels.ForwardTrainAddRelu(r, s, Slice(n), Slice(n), Slice(c), Slice(c), Slice(n), Slice(c), Slice(c), Slice(c), Slice(c), scratch: scratch, targetGroups: 10 * s.C);
                break;
            case "bn_add_relu_backward":
                BatchNormKernels.BackwardAddRelu(r, s, Slice(n), Slice(n), Slice(n), Slice(c), Slice(c), Slice(c), Slice(n), Slice(n), Slice(c), Slice(c), scratch, 10 * s.C);
                break;
        }
        Assert.Equal(2, calls.Count); // the statistics, then the apply
        Assert.Contains("slice", calls[0].Kernel);
        Assert.Contains("slice", calls[1].Kernel);
        Assert.Equal(w == 8, calls[0].Kernel.EndsWith("_vec4") && calls[1].Kernel.EndsWith("_vec4"));
        foreach (var call in calls)
        {
            Assert.True(call.Gx == s.C && call.Gy == slices && call.Gz == 1, $"{call.Kernel}: grid {call.Gx}x{call.Gy}x{call.Gz}, want {s.C}x{slices}x1");
            AssertMatchesInterface(call, op, scale, c * slices * 64);
        }
    }

    [Theory]
    [InlineData(300, 1, 256, 256, 150)] // vec4: 251 images a walk (64511 steps x 64 lanes x 4 / 65536), so 2 slices, balanced
    [InlineData(300, 1, 255, 255, 60)]  // scalar planes: 63 images a walk, so 5 slices of 60
    [InlineData(200, 1, 256, 256, 100)] // 13.1M elements: one walk fits, the one-workgroup kernels' two do not: 2 slices
    [InlineData(100, 1, 256, 256, 100)] // 6.6M elements: both fit, one slice (the one-workgroup kernels)
    public void A_split_batch_norm_keeps_every_slice_within_the_loop_budget(int n, int c, int h, int w, int images)
    {
        var s = new NchwShape(n, c, h, w);
        var split = BatchNormKernels.Split(s, targetGroups: 1); // one workgroup wanted: only the budget splits
        Assert.Equal(((n + images - 1) / images, images), split);
        int perStep = s.PlaneSize % 4 == 0 ? 4 : 1;
        Assert.True(LoopBudget.ChannelElementsThatFit(passes: 1, perStep) >= (long)images * s.PlaneSize);
        Assert.True(split.Slices > 1 || LoopBudget.ChannelElementsThatFit(passes: 2, perStep) >= (long)n * s.PlaneSize,
            "one slice must fit the one-workgroup kernels' two walks");
    }

    [Fact]
    public void A_split_batch_norm_refuses_scratch_too_small_for_its_partials()
    {
        var s = new NchwShape(4, 13, 9, 8);
        long bytes = BatchNormKernels.ScratchBytes(s, 4 * s.C);
        Assert.Equal(4L * s.C * 2 * sizeof(float), bytes);
        var calls = new List<Call>();
        var e = Assert.Throws<ArgumentException>(() => BatchNormKernels.Backward(Logging(calls), s, Slice(s.Count), Slice(s.Count), Slice(s.C), Slice(s.C),
            Slice(s.C), Slice(s.Count), Slice(s.C), Slice(s.C), new BufferSlice(null!, 0, bytes - 16), 4 * s.C));
        Assert.Contains("scratch", e.Message);
        Assert.Empty(calls);
    }

    static void AssertMatchesInterface(Call call, string op, long scale, long lanes)
    {
        var iface = SpirvReflection.Parse(ShaderLibrary.Load(call.Kernel), call.Kernel);
        Assert.True(iface.Bindings.Count == call.Bindings.Length,
            $"{op}: shader declares {iface.Bindings.Count} bindings, launcher binds {call.Bindings.Length}");
        Assert.True(iface.PushConstantBytes == call.PushBytes && call.PushBytes <= 128,
            $"{op}: push block {iface.PushConstantBytes} bytes, C# struct {call.PushBytes}");
        for (int i = 0; i < call.Bindings.Length; i++)
        {
            bool texel = iface.Bindings[i].Type is VkDescriptorType.UniformTexelBuffer or VkDescriptorType.StorageTexelBuffer;
            Assert.True(!texel || call.Bindings[i].Kind == AccessKind.Read, $"{op}: texel binding {i} must be read-only");
        }
        var (wx, wy, wz) = iface.ResolveWorkgroupSize([]);
        long launched = (long)call.Gx * call.Gy * call.Gz * wx * wy * wz;
        Assert.True(launched >= lanes, $"{op} scale {scale}: grid {call.Gx}x{call.Gy}x{call.Gz} of {wx} lanes covers {launched} < {lanes}");
        Assert.True(call.Gx is >= 1 and <= FlatGrid.MaxGroupsX && call.Gy is >= 1 and <= FlatGrid.MaxGroupsX,
            $"{op}: grid {call.Gx}x{call.Gy} outside 1..{FlatGrid.MaxGroupsX}");
    }

    public static TheoryData<string> BadCalls => new()
    {
        "slice too small", "unpadded texel input", "zero channels", "pool pad over half the kernel", "shortcut Cout too small",
        "nesterov without momentum", "smoothing 1",
    };

    [Theory, MemberData(nameof(BadCalls))]
    public void Launcher_RejectsBadArguments_WithTheOpName(string why)
    {
        var calls = new List<Call>();
        var r = Logging(calls);
        var s = new NchwShape(1, 13, 9, 7);
        Action call = why switch
        {
            "slice too small" => () => ReluOp.Launch(r, s.Count, Slice(s.Count), Slice(s.Count - 8)),
            "unpadded texel input" => () => ReluOp.Launch(r, 63, new BufferSlice(null!, 0, 252), Slice(63)),
            "zero channels" => () => BatchNormKernels.Backward(r, s with { C = 0 }, Slice(1), Slice(1), Slice(1), Slice(1), Slice(1), Slice(1), Slice(1), Slice(1)),
            "pool pad over half the kernel" => () => MaxPoolOp.Launch(r, new MaxPoolShape(s, 3, 2, 2), Slice(s.Count), Slice(s.Count), Slice(s.Count)),
            "shortcut Cout too small" => () => ShortcutZeroPadOp.Launch(r, new ShortcutZeroPadShape(s, 13, 2, 1), Slice(s.Count), Slice(s.Count)),
            "nesterov without momentum" => () => SgdUpdateOp.Launch(r, 4, Slice(4), Slice(1), Slice(4), Slice(4), 0f, 0f, nesterov: true),
            "smoothing 1" => () => SoftmaxCrossEntropyOp.Launch(r, 2, 10, Slice(20), Slice(2), Slice(2), 1f),
            _ => throw new ArgumentException(why),
        };
        var e = Assert.Throws<ArgumentException>(call);
        Assert.True(e.Message.Length > 20, $"{why}: message too terse: {e.Message}");
        Assert.Empty(calls);
    }
}
