using VkResNet.Graph.Kernels;
using VkResNet.Graph.Tests.Reference;
using VkResNet.Runtime;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Kernels;

/// <summary>Linear launchers (strided GEMM, every variant forced in turn) against the CPU double-precision reference.</summary>
public sealed class LinearKernelTests(GpuFixture gpu) : KernelTest(gpu)
{
    // On _cpu, (130, 67, 5) takes the transposed (features-as-rows) path in forward and backward-input, the others the
    // direct one (ComputesTransposed, checked below); _gpu's square tile always takes the direct one.
    public static IEnumerable<object[]> Cases() =>
        from v in new[] { KernelVariant.Cpu, KernelVariant.Gpu }
        from s in new[] { (1, 13, 7), (3, 64, 10), (13, 9, 70), (130, 67, 5) }
        select new object[] { v, s.Item1, s.Item2, s.Item3 };

    static double Atol(long k) => 1e-5 + 2e-7 * k;
    const double Rtol = 1e-4;

    [Theory, MemberData(nameof(Cases))]
    public void Forward_and_backward_match_the_cpu(KernelVariant variant, int n, int inFeatures, int outFeatures)
    {
        var s = new LinearShape(n, inFeatures, outFeatures);
        float[] xv = RandomData.Uniform(n * inFeatures, 21), wv = RandomData.Uniform(outFeatures * inFeatures, 22);
        float[] bv = RandomData.Uniform(outFeatures, 23), dyv = RandomData.Uniform(n * outFeatures, 24);
        float[] prior = RandomData.Uniform(outFeatures * inFeatures, 25);
        using var a = new Arena(Device, ArenaBytes(xv.Length, wv.Length, bv.Length, dyv.Length, dyv.Length, dyv.Length, xv.Length, wv.Length, bv.Length, wv.Length));
        BufferSlice x = a.Add(xv), w = a.Add(wv), b = a.Add(bv), dy = a.Add(dyv);
        BufferSlice y = a.Alloc(dyv.Length), yr = a.Alloc(dyv.Length), dx = a.Alloc(xv.Length), dw = a.Alloc(wv.Length), db = a.Alloc(bv.Length);
        BufferSlice dwAcc = a.Add(prior);
        Record(variant, r =>
        {
            LinearKernels.Forward(r, s, x, w, null, y);
            LinearKernels.Forward(r, s, x, w, b, yr, relu: true);
            LinearKernels.BackwardInput(r, s, dy, w, dx);
            LinearKernels.BackwardWeight(r, s, dy, x, dw);
            LinearKernels.BackwardBias(r, s, dy, db);
            LinearKernels.BackwardWeight(r, s, dy, x, dwAcc, accumulate: true);
        });

        double[] xD = ToDouble(xv), wD = ToDouble(wv), dyD = ToDouble(dyv);
        var relu = OpRef.LinearForward(xD, wD, ToDouble(bv), n, inFeatures, outFeatures).Select(v => Math.Max(0, v)).ToArray();
        var dW = OpRef.LinearBackwardWeight(dyD, xD, n, inFeatures, outFeatures);
        string what = $"{variant} {s}";
        Tolerance.AssertClose(OpRef.LinearForward(xD, wD, null, n, inFeatures, outFeatures), a.Read(y, dyv.Length), Atol(inFeatures), Rtol, "linear y " + what);
        Tolerance.AssertClose(relu, a.Read(yr, dyv.Length), Atol(inFeatures), Rtol, "linear relu(y + b) " + what);
        Tolerance.AssertClose(OpRef.LinearBackwardInput(dyD, wD, n, inFeatures, outFeatures), a.Read(dx, xv.Length), Atol(outFeatures), Rtol, "linear dx " + what);
        Tolerance.AssertClose(dW, a.Read(dw, wv.Length), Atol(n), Rtol, "linear dW " + what);
        Tolerance.AssertClose(OpRef.LinearBackwardBias(dyD, n, outFeatures), a.Read(db, bv.Length), Atol(n), Rtol, "linear db " + what);
        Tolerance.AssertClose(Add(dW, prior), a.Read(dwAcc, wv.Length), Atol(n), Rtol, "linear dW accumulate " + what);
    }

    [Fact]
    public void The_orientation_that_pads_least_to_the_tiles_is_taken()
    {
        // ResNet-18/50's head at batch 1: 8 x 1024 padded, not 1000 x 64 (the old rule transposed every batch below 8).
        Assert.False(LinearKernels.ComputesTransposed(KernelVariant.Cpu, 1, 1000));
        Assert.False(LinearKernels.ComputesTransposed(KernelVariant.Cpu, 1, 512));
        Assert.True(LinearKernels.ComputesTransposed(KernelVariant.Cpu, 130, 5));   // a 10-class head at a large batch
        Assert.True(LinearKernels.ComputesTransposed(KernelVariant.Cpu, 130, 67));
        Assert.False(LinearKernels.ComputesTransposed(KernelVariant.Cpu, 13, 70));
        Assert.False(LinearKernels.ComputesTransposed(KernelVariant.Gpu, 130, 5));  // square tiles: a tie, the direct path
        Assert.False(LinearKernels.ComputesTransposed(KernelVariant.Gpu, 1, 1000));
    }

    [Fact]
    public void Push_constant_block_matches_the_shaders()
    {
        foreach (var name in new[] { "gemm_cpu", "gemm_gpu" })
            Assert.Equal(System.Runtime.CompilerServices.Unsafe.SizeOf<GemmPush>(), (int)Device.GetKernel(name).Interface.PushConstantBytes);
    }
}
