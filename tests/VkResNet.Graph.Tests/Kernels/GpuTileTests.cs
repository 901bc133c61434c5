using VkResNet.Graph.Kernels;
using VkResNet.Runtime;
using VkResNet.Runtime.Tests;
using Xunit;

namespace VkResNet.Graph.Tests.Kernels;

/// <summary>The _gpu tile sets: their staging divides evenly, each checks the device's limits, and the tuner times them only on the _gpu family.</summary>
public sealed class GpuTileTests(GpuFixture gpu) : GpuTest(gpu)
{
    static readonly GpuTile[] Sets = [GpuTile.Default, GpuTile.Small, GpuTile.Tall, GpuTile.Large];
    static readonly Conv2dShape Shape = Conv2dShape.Square(2, 16, 28, 28, 16, 3, 1, 1);

    [Fact]
    public void Every_set_stages_whole_rows_and_keeps_a_fixed_column_per_invocation()
    {
        foreach (var t in Sets)
        {
            Assert.True(t.Valid, $"{t}");
            Assert.True(t.Invocations is >= 64 and <= 256 && t.SharedBytes <= 16 * 1024 + 1024, $"{t}: {t.Invocations} invocations, {t.SharedBytes} bytes of shared memory");
        }
        Assert.False(new GpuTile(64, 64, 16, 16).Valid);   // 16 invocations cannot each keep one of 64 staging columns
        Assert.Equal(256, GpuTile.Default.Invocations);
    }

    // Each limit in turn just below what a set needs: the candidates of that set stop applying.
    [Theory]
    [InlineData("shared")]
    [InlineData("invocations")]
    [InlineData("size-x")]
    [InlineData("subgroup")]
    public void A_set_applies_only_within_the_devices_limits(string limit)
    {
        foreach (var t in Sets)
        {
            var fits = Device.Info with
            {
                MaxSharedMemoryBytes = (uint)t.SharedBytes, MaxWorkgroupInvocations = (uint)t.Invocations, MaxWorkgroupSize = [(uint)t.Invocations, 1, 1],
                SubgroupSize = 8, MinSubgroupSize = 8, MaxSubgroupSize = 8,
            };
            var short_ = limit switch
            {
                "shared" => fits with { MaxSharedMemoryBytes = (uint)t.SharedBytes - 4 },
                "invocations" => fits with { MaxWorkgroupInvocations = (uint)t.Invocations - 1 },
                "size-x" => fits with { MaxWorkgroupSize = [(uint)t.Invocations / 2, 1, 1] },
                _ => fits with { SubgroupSize = (uint)t.Invocations * 2 },   // a workgroup of half a subgroup
            };
            Assert.True(t.Fits(fits, SubgroupPick.Reported), $"{t} should fit exactly");
            Assert.False(t.Fits(short_, SubgroupPick.Reported), $"{t} with {limit} short");
            var candidate = Conv2dTiledGpu.Candidate("probe", ConvDirection.Forward, t);
            Assert.True(candidate.Applies(Shape, fits) && !candidate.Applies(Shape, short_), $"{t}: Applies follows the limits ({limit})");
        }
    }

    [Fact]
    public void The_smallest_and_largest_subgroup_forms_apply_only_where_the_device_may_require_a_distinct_size()
    {
        var range = Device.Info with { SubgroupSize = 32, MinSubgroupSize = 16, MaxSubgroupSize = 64, MaxComputeWorkgroupSubgroups = 16, RequiredSubgroupSizeCompute = true };
        var t = GpuTile.Default;
        Assert.Equal(16u, t.Subgroup(range, SubgroupPick.Min));
        Assert.Equal(64u, t.Subgroup(range, SubgroupPick.Max));
        Assert.Equal(0u, t.Subgroup(range with { RequiredSubgroupSizeCompute = false }, SubgroupPick.Min));   // cannot require it
        Assert.Equal(0u, t.Subgroup(range with { MaxComputeWorkgroupSubgroups = 8 }, SubgroupPick.Min));      // 256 / 16 = 16 subgroups > 8
        Assert.Equal(0u, t.Subgroup(range with { MinSubgroupSize = 32 }, SubgroupPick.Min));                  // not distinct from the reported size
        Assert.Equal(32u, t.Subgroup(range, SubgroupPick.Reported));
    }

    [Fact]
    public void The_tuner_offers_the_tile_sets_to_gpu_family_graphs_only_but_the_reference_to_both()
    {
        var key = new ConvKey(ConvDirection.Forward, Shape);
        var cpu = ConvCandidates.Applicable(ConvCandidates.All, key, Device.Info, KernelVariant.Cpu);
        var gpu = ConvCandidates.Applicable(ConvCandidates.All, key, Device.Info, KernelVariant.Gpu);
        Assert.DoesNotContain(cpu, c => c.Family == KernelVariant.Gpu);
        Assert.Equal(ConvCandidates.All[0], cpu[0]);
        Assert.Equal(ConvCandidates.All[0], gpu[0]);
        if (GpuTile.Small.Fits(Device.Info, SubgroupPick.Reported))
            Assert.Contains(gpu, c => c.Name == "tile32x32_r4x4_gpu");
    }
}
