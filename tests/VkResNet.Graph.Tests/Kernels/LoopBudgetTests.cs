using VkResNet.Graph.Edge;
using VkResNet.Graph.Kernels;
using VkResNet.Graph.Tests.Reference;
using VkResNet.Runtime;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Kernels;

/// <summary>
/// Backward weight past lavapipe's loop budget (LoopBudget: 65535 back-edges per invocation, then llvmpipe cuts every
/// loop short): each _cpu candidate against the CPU reference, written and accumulated. Before the batch was chunked,
/// direct_cpu summed only the first 77 images of ResNet-20's 16@28 layers at batch 128 (34.49 where the sum is 2.44).
/// </summary>
public sealed class LoopBudgetTests(GpuFixture gpu) : KernelTest(gpu)
{
    public static IEnumerable<object[]> Cases() =>
        from spec in new[]
        {
            "97,8,28,28,3,3,3,1,1,1,1",     // 97 x 841 back-edges: chunks of 77 and 20 images
            "1100,13,9,7,5,3,3,1,1,1,1",    // 13x9x7 images (3276 bytes): chunks a multiple of 4 images for the 16-byte texel offsets
            "90,8,28,28,6,3,3,2,2,1,1",     // stride 2, 14x14 outputs: 90 x 225 fits, one dispatch
        }
        let s = Conv2dKernelTests.Parse(spec)
        from c in new[] { ("direct_cpu", true), ("dy4_cpu", Conv2dBackwardWeightDy4.Applies(s, KernelVariant.Cpu)),
                          ("taps8_cpu", Conv2dBackwardWeightTaps.Applies(s, KernelVariant.Cpu)), ("taps4_cpu", Conv2dBackwardWeightTaps.Applies(s, KernelVariant.Cpu)) }
        where c.Item2
        select new object[] { c.Item1, spec };


    [Theory, MemberData(nameof(Cases))]
    public void Every_cpu_backward_weight_candidate_matches_the_cpu_past_the_loop_budget(string name, string spec)
    {
        var s = Conv2dKernelTests.Parse(spec);
        var c = ConvCandidates.Find(ConvCandidates.All, ConvDirection.BackwardWeight, name)!;
        var key = new ConvKey(ConvDirection.BackwardWeight, s);
        float[] dyData = RandomData.Uniform((int)s.OutputElements, 31), xData = RandomData.Uniform((int)s.InputElements, 32),
                prior = RandomData.Uniform((int)s.WeightElements, 33);
        long scratchFloats = Math.Max(1, c.Scratch(s) / 4);
        using var a = new Arena(Device, ArenaBytes(s.OutputElements, s.InputElements, s.WeightElements, s.WeightElements, scratchFloats));
        BufferSlice dy = a.Add(dyData), x = a.Add(xData), dw = a.Alloc(s.WeightElements), summed = a.Add(prior), scratch = a.Alloc(scratchFloats);
        Record(Device.Variant, r =>
        {
            Conv2dKernels.Record(r, c, key, new ConvOperands(dy, x, dw, scratch));
            Conv2dKernels.Record(r, c, key with { Flags = Conv2dFlags.Accumulate }, new ConvOperands(dy, x, summed, scratch));
        });
        var expected = OpRef.Conv2dBackwardWeight(ToDouble(dyData), ToDouble(xData), s);
        double atol = ConvTolerance.Atol(key.ReductionLength);
        Tolerance.AssertClose(expected, a.Read(dw, s.WeightElements), atol, ConvTolerance.Rtol, $"{name} {s}");
        Tolerance.AssertClose(Add(expected, prior), a.Read(summed, s.WeightElements), atol, ConvTolerance.Rtol, $"{name} {s} +=");
    }

    [Theory]
    [InlineData(64, 64, 2, 4)]   // vec4 training kernels (statistics, then apply): 2015 images of 64x64
    [InlineData(7, 7, 1, 1)]     // the sync-bn split passes: one scalar walk
    public void A_batch_norm_channel_longer_than_a_CPU_type_device_may_walk_is_refused_with_the_batch_that_fits(int h, int w, int passes, int perStep)
    {
        long fit = LoopBudget.ChannelElementsThatFit(passes, perStep);
        int most = (int)(fit / (h * w));
        LoopBudget.RequireChannelWalk(DeviceKind.Cpu, new NchwShape(most, 3, h, w), passes, perStep, "bn");
        var e = Assert.Throws<UsageException>(() =>
            LoopBudget.RequireChannelWalk(DeviceKind.Cpu, new NchwShape(most + 1, 3, h, w), passes, perStep, "bn"));
        Assert.Contains($"at most {most} at this size", e.Message);
        Assert.StartsWith("bn: one channel of", e.Message);
        foreach (var kind in new[] { DeviceKind.Discrete, DeviceKind.Integrated, DeviceKind.Virtual, DeviceKind.Other })
            LoopBudget.RequireChannelWalk(kind, new NchwShape(most + 1, 3, h, w), passes, perStep, "bn"); // no such limit there
    }
}
