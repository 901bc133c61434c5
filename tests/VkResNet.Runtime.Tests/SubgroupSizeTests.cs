using Xunit;

namespace VkResNet.Runtime.Tests;

/// <summary>The subgroup-size request (SpecConstant.SubgroupSizeId): made where the device allows it, never elsewhere.</summary>
public sealed class SubgroupSizeTests(GpuFixture gpu) : GpuTest(gpu)
{
    [Fact]
    public void The_device_reports_a_subgroup_size_range_around_its_default()
    {
        var d = Device.Info;
        Assert.True(d.MinSubgroupSize >= 1 && d.MinSubgroupSize <= d.SubgroupSize && d.SubgroupSize <= d.MaxSubgroupSize,
                    $"{d.Name}: subgroup sizes {d.MinSubgroupSize} <= {d.SubgroupSize} <= {d.MaxSubgroupSize}");
        if (d.RequiredSubgroupSizeCompute) Assert.True(d.MaxComputeWorkgroupSubgroups > 0, "maxComputeWorkgroupSubgroups");
        Assert.Equal(d.RequiredSubgroupSizeCompute, Device.SubgroupSizeControl);   // a device VkResNet creates enables what it has
    }

    // What DeviceInfo.CanRequireSubgroupSize allows, on a device that reports sizes 8-32 with 16 subgroups per workgroup.
    [Theory]
    [InlineData(true, 16u, 256u, true)]
    [InlineData(true, 8u, 128u, true)]
    [InlineData(true, 8u, 256u, false)]    // 32 subgroups of 8: over maxComputeWorkgroupSubgroups
    [InlineData(true, 4u, 64u, false)]     // below minSubgroupSize
    [InlineData(true, 64u, 64u, false)]    // above maxSubgroupSize
    [InlineData(true, 24u, 48u, false)]    // not a power of two
    [InlineData(true, 0u, 64u, false)]
    [InlineData(false, 16u, 64u, false)]   // no subgroupSizeControl on compute
    public void A_size_may_be_required_only_within_the_reported_limits(bool control, uint size, uint invocations, bool allowed)
    {
        var d = Device.Info with { MinSubgroupSize = 8, MaxSubgroupSize = 32, MaxComputeWorkgroupSubgroups = 16, RequiredSubgroupSizeCompute = control };
        Assert.Equal(allowed, d.CanRequireSubgroupSize(size, invocations));
    }

    [Fact]
    public void A_kernel_requires_the_size_it_asks_for_only_where_the_device_allows_it()
    {
        var d = Device.Info;
        const uint workgroup = 64;
        // The reported size, where the device lets pipelines require it; the driver's choice otherwise.
        var asked = Device.GetKernel("test_saxpy", new SpecConstant(0, workgroup), new SpecConstant(SpecConstant.SubgroupSizeId, d.SubgroupSize));
        Assert.Equal(Device.SubgroupSizeControl && d.CanRequireSubgroupSize(d.SubgroupSize, workgroup) ? d.SubgroupSize : null, asked.RequiredSubgroupSize);
        // No request (0, or none at all), and sizes outside the device's range: never required.
        Assert.Null(Device.GetKernel("test_saxpy", new SpecConstant(0, workgroup), new SpecConstant(SpecConstant.SubgroupSizeId, 0)).RequiredSubgroupSize);
        Assert.Null(Device.GetKernel("test_saxpy", new SpecConstant(0, workgroup)).RequiredSubgroupSize);
        Assert.Null(Device.GetKernel("test_saxpy", new SpecConstant(0, workgroup), new SpecConstant(SpecConstant.SubgroupSizeId, d.MaxSubgroupSize * 2)).RequiredSubgroupSize);
        if (d.MinSubgroupSize > 1)
            Assert.Null(Device.GetKernel("test_saxpy", new SpecConstant(0, workgroup), new SpecConstant(SpecConstant.SubgroupSizeId, d.MinSubgroupSize / 2)).RequiredSubgroupSize);
        // A request the device allows, but a workgroup of more subgroups than it may hold at that size: not required.
        uint over = d.MinSubgroupSize * d.MaxComputeWorkgroupSubgroups * 2;
        if (d.RequiredSubgroupSizeCompute && over <= d.MaxWorkgroupInvocations && over <= d.MaxWorkgroupSize[0])
        {
            Assert.Null(Device.GetKernel("test_saxpy", new SpecConstant(0, over), new SpecConstant(SpecConstant.SubgroupSizeId, d.MinSubgroupSize)).RequiredSubgroupSize);
        }
    }

    [Fact]
    public void A_kernel_at_a_required_size_computes_the_same()
    {
        const int n = 1000;
        var x = RandomData.Uniform(n, 1);
        var y = RandomData.Uniform(n, 2);
        using var bx = UploadNew(x);
        using var by = UploadNew(y);
        var k = Device.GetKernel("test_saxpy", new SpecConstant(0, 64), new SpecConstant(SpecConstant.SubgroupSizeId, Device.Info.SubgroupSize));
        using var set = Device.CreateBindingSet(k, [bx.All, by.All]);
        using var cl = Device.CreateCommandList();
        cl.Begin();
        cl.Dispatch(k, set, new SaxpyPush { N = n, A = 2f }, (n + 63) / 64);
        cl.End();
        cl.Submit();
        cl.Wait();
        Tolerance.AssertClose(x.Select((v, i) => 2.0 * v + y[i]).ToArray(), Device.Download<float>(by.Slice(0, n * 4L)), 1e-6, 1e-6, "saxpy at the required subgroup size");
    }
}
