using VkResNet.Runtime;
using Xunit;

namespace VkResNet.Runtime.Tests;

public sealed class MemoryTests(GpuFixture gpu) : GpuTest(gpu)
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(4099)]
    [InlineData(5_000_003)] // larger than one staging chunk
    public void Buffers_round_trip_odd_sizes(int count)
    {
        var data = RandomData.Uniform(count, seed: count);
        using var b = UploadNew(data);
        var back = new float[count];
        Device.Download(b.Slice(0, count * 4L), back.AsSpan());
        Tolerance.AssertBitIdentical(data, back, $"round trip of {count} floats"); // a copy moves bits: any tolerance would hide a flipped low bit
    }

    [Theory]
    [InlineData(16, 32)]
    [InlineData(32768, 32784)]          // a 1x1 conv's 128x64 weights: a power of two, created 16 bytes longer
    [InlineData(36864, 36864)]          // a 3x3 conv's 64x64x9: not one, as asked
    [InlineData(48, 48)]
    [InlineData(1L << 33, (1L << 33) + 16)]
    public void A_power_of_two_size_is_created_16_bytes_longer_so_no_driver_keys_a_pipeline_on_it(long size, long created) =>
        Assert.Equal(created, Buffer.CreatedSize(size));

    [Fact]
    public void A_power_of_two_buffer_keeps_its_asked_size_and_round_trips_all_of_it()
    {
        var data = RandomData.Uniform(8192, seed: 5);
        using var b = Device.CreateBuffer(8192 * 4);
        Assert.Equal(8192 * 4, b.Size);
        Device.Upload(b.All, data.AsSpan());
        Tolerance.AssertBitIdentical(data, Device.Download<float>(b.All), "32 KiB buffer"); // a copy moves bits
    }

    [Fact]
    public void Slices_at_offsets_round_trip()
    {
        using var b = Device.CreateBuffer(1024);
        var a = RandomData.Uniform(13, 1);
        var c = RandomData.Uniform(29, 2);
        Device.Upload(b.Slice(16, 13 * 4), a.AsSpan());
        Device.Upload(b.Slice(256, 29 * 4), c.AsSpan());
        Tolerance.AssertBitIdentical(a, Device.Download<float>(b.Slice(16, 13 * 4)), "slice at 16"); // copies: the bits must arrive
        Tolerance.AssertBitIdentical(c, Device.Download<float>(b.Slice(256, 29 * 4)), "slice at 256");
    }

    [Fact]
    public void The_report_counts_reserved_and_used_bytes()
    {
        long before = Device.GetMemoryReport().UsedBytes;
        using (var b = Device.CreateBuffer(3 << 20, name: "report-probe"))
        {
            var report = Device.GetMemoryReport();
            Assert.True(report.UsedBytes >= before + (3 << 20), $"used {report.UsedBytes} after a 3 MiB buffer (before: {before})");
            Assert.True(report.ReservedBytes >= report.UsedBytes);
            Assert.Contains("reserved", report.ToString());
        }
        Assert.Equal(before, Device.GetMemoryReport().UsedBytes);
    }

    [Fact]
    public void Host_visible_buffers_are_mapped()
    {
        using var up = Device.CreateBuffer(64, MemoryKind.Upload);
        up.Mapped<float>()[3] = 42f;
        using var dev = Device.CreateBuffer(64);
        using var cl = Device.CreateCommandList();
        cl.Begin();
        cl.Copy(up.All, dev.All);
        cl.TransferToComputeBarrier();
        cl.End();
        cl.Submit();
        cl.Wait();
        Assert.Equal(42f, Device.Download<float>(dev.All)[3], 0f);
        using var readback = Device.CreateBuffer(64, MemoryKind.Readback);
        Assert.True(readback.IsMapped && up.IsMapped, "host-visible kinds are persistently mapped");
    }

    [Fact]
    public void Out_of_device_memory_is_a_clear_error()
    {
        long tooMuch = (long)Device.Info.DeviceLocalBytes * 4 + (1L << 40);
        var e = Assert.ThrowsAny<VulkanException>(() => Device.CreateBuffer(tooMuch));
        Assert.IsType<OutOfDeviceMemoryException>(e);
        Assert.Contains("Out of device memory", e.Message);
    }
}
