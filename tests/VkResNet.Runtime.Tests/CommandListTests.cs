using VkResNet.Runtime;
using Xunit;

namespace VkResNet.Runtime.Tests;

public sealed class CommandListTests(GpuFixture gpu) : GpuTest(gpu)
{
    /// <summary>Records saxpy(x -> y) then saxpy(y -> z): the second reads what the first wrote.</summary>
    float[] WriteThenRead(bool barrier, int n = 4096)
    {
        var x = RandomData.Uniform(n, 7);
        using var bx = UploadNew(x);
        using var by = UploadNew(new float[n]);
        using var bz = UploadNew(new float[n]);
        var k = Device.GetKernel("test_saxpy", new SpecConstant(0, 64));
        using var first = Device.CreateBindingSet(k, [bx.All, by.All]);
        using var second = Device.CreateBindingSet(k, [by.All, bz.All]);
        using var cl = Device.CreateCommandList();
        cl.Begin();
        cl.Dispatch(k, first, new SaxpyPush { N = (uint)n, A = 2f }, (uint)(n / 64));
        if (barrier) cl.ComputeBarrier();
        cl.Dispatch(k, second, new SaxpyPush { N = (uint)n, A = 3f }, (uint)(n / 64));
        cl.End();
        cl.Submit();
        cl.Wait();
        var z = Device.Download<float>(bz.All);
        var expected = x.Select(v => 6.0 * v).ToArray();
        if (barrier) Tolerance.AssertClose(expected, z, 1e-6, 1e-6, "z = 3 * (2 * x)");
        return z;
    }

    [Fact]
    public void A_barrier_orders_a_write_then_read_pair()
    {
        WriteThenRead(barrier: true);
    }

    [Fact]
    public void Synchronization_validation_catches_a_missing_barrier()
    {
        WriteThenRead(barrier: false);
        var messages = Gpu.Context.ValidationMessages;
        Gpu.Context.ClearValidationMessages();
        Assert.Contains(messages, m => m.Id.Contains("SYNC-HAZARD-READ", StringComparison.Ordinal) || m.Text.Contains("READ_AFTER_WRITE", StringComparison.Ordinal));
    }

    [Fact]
    public unsafe void The_messenger_catches_a_deliberately_wrong_api_use()
    {
        // A buffer with no usage flags breaks VUID-VkBufferCreateInfo-usage-requiredbitmask.
        var info = new VkBufferCreateInfo { SType = VkStructureType.BufferCreateInfo, Size = 64, Usage = 0 };
        VkBuffer b;
        Native.Vk.CheckAllow(Device.Api.CreateBuffer(Device.Handle, &info, null, &b));
        if (b.Handle != 0) Device.Api.DestroyBuffer(Device.Handle, b, null);
        var messages = Gpu.Context.ValidationMessages;
        Gpu.Context.ClearValidationMessages();
        Assert.Contains(messages, m => m.Severity == ValidationSeverity.Error && m.Text.Contains("usage", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Timestamps_are_monotone()
    {
        var x = RandomData.Uniform(1 << 16, 9);
        using var bx = UploadNew(x);
        using var by = UploadNew(new float[x.Length]);
        var k = Device.GetKernel("test_saxpy", new SpecConstant(0, 64));
        using var set = Device.CreateBindingSet(k, [bx.All, by.All]);
        using var cl = Device.CreateCommandList(timestampCapacity: 8);
        cl.Begin(reusable: true);
        cl.WriteTimestamp();
        for (int i = 0; i < 5; i++)
        {
            cl.Dispatch(k, set, new SaxpyPush { N = (uint)x.Length, A = 1f }, (uint)(x.Length / 64));
            cl.ComputeBarrier();
            cl.WriteTimestamp();
        }
        cl.End();
        cl.Submit();
        cl.Wait();
        var ms = cl.ReadTimestampsMs();
        Assert.Equal(6, ms.Length);
        for (int i = 1; i < ms.Length; i++) Assert.True(ms[i] >= ms[i - 1], $"timestamp {i} ({ms[i]} ms) is before {i - 1} ({ms[i - 1]} ms)");
        Assert.True(ms[^1] > 0, "five dispatches take some time");
    }

    [Fact]
    public void A_recorded_list_replays()
    {
        const int n = 256;
        using var bx = UploadNew(Enumerable.Repeat(1f, n).ToArray());
        using var by = UploadNew(new float[n]);
        var k = Device.GetKernel("test_saxpy", new SpecConstant(0, 64));
        using var set = Device.CreateBindingSet(k, [bx.All, by.All]);
        using var cl = Device.CreateCommandList();
        cl.Begin(reusable: true);
        cl.Dispatch(k, set, new SaxpyPush { N = n, A = 1f }, n / 64);
        cl.End();
        for (int i = 0; i < 5; i++)
        {
            cl.Submit();
            cl.Wait();
        }
        Tolerance.AssertCounts(Enumerable.Repeat(5.0, n).ToArray(), Device.Download<float>(by.All), "five replays add five times"); // 0 + 1 + ... + 1: whole numbers, exact in fp32
    }

    [Fact]
    public void Replaying_allocates_no_managed_memory()
    {
        const int n = 256;
        using var bx = UploadNew(new float[n]);
        using var by = UploadNew(new float[n]);
        var k = Device.GetKernel("test_saxpy", new SpecConstant(0, 64));
        using var set = Device.CreateBindingSet(k, [bx.All, by.All]);
        using var cl = Device.CreateCommandList();
        cl.Begin(reusable: true);
        cl.Dispatch(k, set, new SaxpyPush { N = n, A = 1f }, n / 64);
        cl.End();
        cl.Submit();
        cl.Wait();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            cl.Submit();
            cl.Wait();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
