using VkResNet.Graph.Kernels;
using VkResNet.Graph.Tests.Reference;
using VkResNet.Graph.Tuning;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Tuning;

/// <summary>The tuner's per-element exact values against the ops' whole-tensor double references, on odd shapes (no GPU).</summary>
public sealed class ConvExactTests
{
    public static IEnumerable<object[]> Cases() =>
        from spec in new[]
        {
            "1,13,9,7,5,3,3,1,1,1,1",     // odd channels and map, same padding
            "3,13,9,7,11,3,3,2,2,1,1",    // stride 2 on odd sizes, batch 3
            "1,3,15,13,17,7,7,2,2,3,3",   // 7x7 stride 2 pad 3
            "2,3,6,9,7,3,1,1,2,1,0",      // non-square kernel and stride
            "2,6,5,8,7,3,3,3,2,1,1",      // strides 3 and 2: phases of unequal tap counts
            "3,5,9,7,13,1,1,2,2,0,0",     // 1x1 stride 2
        }
        from direction in Enum.GetValues<ConvDirection>()
        from flags in direction == ConvDirection.Forward
            ? new[] { Conv2dFlags.None, Conv2dFlags.Bias | Conv2dFlags.Residual | Conv2dFlags.Relu, Conv2dFlags.Bias | Conv2dFlags.Accumulate }
            : new[] { Conv2dFlags.None, Conv2dFlags.Accumulate }
        select new object[] { spec, direction, flags };

    [Theory, MemberData(nameof(Cases))]
    public void Every_element_matches_the_op_reference(string spec, ConvDirection direction, Conv2dFlags flags)
    {
        var s = Kernels.Conv2dKernelTests.Parse(spec);
        var key = new ConvKey(direction, s, flags);
        var (na, nb, nOut) = key.Elements;
        float[] a = RandomData.Uniform((int)na, 21), b = RandomData.Uniform((int)nb, 22), bias = RandomData.Uniform(s.Cout, 23),
                residual = RandomData.Uniform((int)nOut, 24), prior = RandomData.Uniform((int)nOut, 25);
        double[] A = Array.ConvertAll(a, v => (double)v), B = Array.ConvertAll(b, v => (double)v);
        double[] expected = direction switch
        {
            ConvDirection.Forward => OpRef.Conv2dForward(A, B, (flags & Conv2dFlags.Bias) != 0 ? Array.ConvertAll(bias, v => (double)v) : null, s),
            ConvDirection.BackwardInput => OpRef.Conv2dBackwardInput(A, B, s),
            _ => OpRef.Conv2dBackwardWeight(A, B, s),
        };
        for (int i = 0; i < expected.Length; i++)
        {
            if ((flags & Conv2dFlags.Residual) != 0) expected[i] += residual[i];
            if ((flags & Conv2dFlags.Relu) != 0) expected[i] = Math.Max(expected[i], 0);
            if ((flags & Conv2dFlags.Accumulate) != 0) expected[i] += prior[i];
        }
        var exact = Enumerable.Range(0, expected.Length).Select(i => ConvExact.Element(key, a, b, bias, residual, prior, i)).ToArray();
        Tolerance.AssertClose(expected, exact, 1e-12, 1e-12, key.ToString());
    }
}
