using System.Runtime.InteropServices;
using VkResNet.Runtime;
using VkResNet.Runtime.Native;
using Xunit;

namespace VkResNet.Runtime.Tests;

[StructLayout(LayoutKind.Sequential)] public struct SaxpyPush { public uint N; public float A; }
[StructLayout(LayoutKind.Sequential)] public struct ReducePush { public uint N; public uint Chunk; }
[StructLayout(LayoutKind.Sequential)] public struct ConstantsPush { public int A; public float B; public uint C; public int D; }
[StructLayout(LayoutKind.Sequential)] public struct TexelPush { public uint Texels; public float S; }

public sealed class KernelTests(GpuFixture gpu) : GpuTest(gpu)
{
    void Run(Action<CommandList> record)
    {
        using var cl = Device.CreateCommandList();
        cl.Begin();
        record(cl);
        cl.End();
        cl.Submit();
        cl.Wait();
    }

    [Theory]
    [InlineData(1, 64)]
    [InlineData(1000, 64)]
    [InlineData(4099, 32)]
    public void Saxpy_matches_the_cpu(int n, int workgroup)
    {
        var x = RandomData.Uniform(n, 1);
        var y = RandomData.Uniform(n, 2);
        const float a = 1.75f;
        using var bx = UploadNew(x);
        using var by = UploadNew(y);
        var k = Device.GetKernel("test_saxpy", new SpecConstant(0, (uint)workgroup));
        using var set = Device.CreateBindingSet(k, [bx.All, by.All]);
        Run(cl => cl.Dispatch(k, set, new SaxpyPush { N = (uint)n, A = a }, (uint)((n + workgroup - 1) / workgroup)));
        var expected = new double[n];
        for (int i = 0; i < n; i++) expected[i] = (double)a * x[i] + y[i];
        Tolerance.AssertClose(expected, Device.Download<float>(by.Slice(0, n * 4L)), 1e-6, 1e-6, $"saxpy n={n}");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1001, 64)]
    [InlineData(77777, 1000)]
    public void Reduction_matches_the_cpu_and_is_bit_identical_run_to_run(int n, int chunk)
    {
        var x = RandomData.Uniform(n, 3);
        using var bx = UploadNew(x);
        int groups = (n + chunk - 1) / chunk;
        using var bo = Device.CreateBuffer(groups * 4);
        var k = Device.GetKernel("test_reduce_sum");
        using var set = Device.CreateBindingSet(k, [bx.All, bo.All]);
        float[] Once()
        {
            Run(cl => cl.Dispatch(k, set, new ReducePush { N = (uint)n, Chunk = (uint)chunk }, (uint)groups));
            return Device.Download<float>(bo.Slice(0, groups * 4L));
        }
        var first = Once();
        var second = Once();
        var expected = new double[groups];
        for (int i = 0; i < n; i++) expected[i / chunk] += x[i];
        Tolerance.AssertClose(expected, first, 1e-5 * chunk, 1e-5, $"sum n={n} chunk={chunk}");
        Tolerance.AssertBitIdentical(first, second, "reduction determinism");
    }

    [Fact]
    public void Push_and_specialization_constants_reach_the_shader()
    {
        var k = Device.GetKernel("test_constants", new SpecConstant(0, 4), new SpecConstant(1, 2), SpecConstant.Int(2, -5), SpecConstant.Float(3, 2.25f));
        Assert.Equal((4u, 2u, 1u), k.WorkgroupSize);
        using var o = Device.CreateBuffer(8 * 4);
        using var set = Device.CreateBindingSet(k, [o.All]);
        Run(cl => cl.Dispatch(k, set, new ConstantsPush { A = -3, B = 0.125f, C = 9, D = 1 << 20 }, 1));
        float[] got = Device.Download<float>(o.All);
        // Integers converted in the shader compare as integers; the two floats are passed through untouched, so their bits must arrive.
        Tolerance.AssertCounts(new double[] { -3, 9, 1 << 20, -5, 4, 2 }, new[] { got[0], got[2], got[3], got[4], got[6], got[7] }, "integer constants");
        Tolerance.AssertBitIdentical(new[] { 0.125f, 2.25f }, new[] { got[1], got[5] }, "float push and specialization constants");
    }

    [Fact]
    public void Reflection_reads_bindings_push_constants_and_workgroup()
    {
        var saxpy = SpirvReflection.Parse(ShaderLibrary.Load("test_saxpy"), "test_saxpy");
        Assert.Equal([VkDescriptorType.StorageBuffer, VkDescriptorType.StorageBuffer], saxpy.Bindings.Select(b => b.Type));
        Assert.Equal((uint)Marshal.SizeOf<SaxpyPush>(), saxpy.PushConstantBytes);
        Assert.Equal((uint?)0, saxpy.WorkgroupSize[0].SpecId);

        var texel = SpirvReflection.Parse(ShaderLibrary.Load("test_texel_scale"), "test_texel_scale");
        Assert.Equal([VkDescriptorType.UniformTexelBuffer, VkDescriptorType.StorageTexelBuffer, VkDescriptorType.StorageBuffer], texel.Bindings.Select(b => b.Type));
        Assert.Equal(VkFormat.R32G32B32A32Sfloat, texel.Bindings[1].TexelFormat);
        Assert.Equal((8u, (uint?)null), texel.WorkgroupSize[0]);
        Assert.Equal((uint)Marshal.SizeOf<TexelPush>(), texel.PushConstantBytes);

        var constants = SpirvReflection.Parse(ShaderLibrary.Load("test_constants"), "test_constants");
        Assert.Equal([0u, 1u, 2u, 3u], constants.SpecConstants.Select(s => s.Id));
        Assert.True(constants.SpecConstants[3].IsFloat);
        Assert.Equal(16u, constants.PushConstantBytes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(1027)]
    public void Texel_buffer_views_read_the_bound_slice(int texels)
    {
        var x = RandomData.Uniform(texels * 4 + 8, 5);
        using var bx = UploadNew(x);
        using var by = Device.CreateBuffer(texels * 16);
        var k = Device.GetKernel("test_texel_scale");
        var slice = bx.Slice(16, texels * 16L); // skip the first texel: views honour offsets
        using var set = Device.CreateBindingSet(k, [slice, slice, by.All]);
        Run(cl => cl.Dispatch(k, set, new TexelPush { Texels = (uint)texels, S = 3f }, (uint)((texels + 7) / 8)));
        var expected = new double[texels * 4];
        for (int i = 0; i < expected.Length; i++) expected[i] = 4.0 * x[i + 4];
        Tolerance.AssertClose(expected, Device.Download<float>(by.Slice(0, texels * 16L)), 1e-6, 1e-6, $"texel scale {texels}");
    }

    [Fact]
    public void Wrong_push_constant_size_is_refused()
    {
        var k = Device.GetKernel("test_saxpy", new SpecConstant(0, 64));
        using var b = Device.CreateBuffer(64);
        using var set = Device.CreateBindingSet(k, [b.All, b.All]);
        using var cl = Device.CreateCommandList();
        cl.Begin();
        var e = Assert.Throws<ArgumentException>(() => cl.Dispatch(k, set, new ConstantsPush(), 1, 1, 1));
        Assert.Contains("push constants", e.Message);
        cl.End();
    }

    [Fact]
    public void A_second_device_reuses_the_pipeline_cache_on_disk()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"vkresnet-cache-test-{Guid.NewGuid():N}");
        try
        {
            using (var d1 = Gpu.Context.CreateDevice("llvmpipe", new DeviceOptions { PipelineCacheDirectory = dir }))
            {
                d1.GetKernel("test_saxpy", new SpecConstant(0, 64));
                Assert.Equal(0, d1.Kernels.LoadedCacheBytes);
            }
            Assert.True(Directory.GetFiles(dir, "pipelines-*.bin").Length == 1, "the cache file is written when the device is disposed");
            using var d2 = Gpu.Context.CreateDevice("llvmpipe", new DeviceOptions { PipelineCacheDirectory = dir });
            Assert.True(d2.Kernels.LoadedCacheBytes > 0, "the second device starts from the saved cache");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
