using VkResNet.Graph.Compiler;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Kernels;
using VkResNet.Runtime;
using VkResNet.Runtime.Tests;

namespace VkResNet.Graph.Tests.Kernels;

/// <summary>
/// Base of launcher tests: tensors live in one arena buffer at 16-byte aligned offsets (as the graph
/// allocator places them), and launchers record through the same CommandRecorder the graph uses.
/// </summary>
public abstract class KernelTest(GpuFixture gpu) : GpuTest(gpu)
{
    protected sealed class Arena(Device device, long capacityBytes) : IDisposable
    {
        readonly Runtime.Buffer _buffer = device.CreateBuffer(capacityBytes, MemoryKind.DeviceLocal, "test-arena");
        long _used;

        public BufferSlice Alloc(long count)
        {
            long bytes = (count * 4 + 15) & ~15L;
            var s = _buffer.Slice(_used, bytes);
            _used += bytes;
            return s;
        }

        public BufferSlice Add(ReadOnlySpan<float> data)
        {
            var s = Alloc(data.Length);
            device.Upload(s.Slice(0, data.Length * 4L), data);
            return s;
        }

        public float[] Read(BufferSlice s, long count) => device.Download<float>(s.Slice(0, count * 4));

        public void Dispose() => _buffer.Dispose();
    }

    /// <summary>Bytes an arena needs for tensors of these element counts (each rounded up to 16 bytes).</summary>
    protected static long ArenaBytes(params long[] counts) => counts.Sum(c => (c * 4 + 15) & ~15L) + 16;

    /// <summary>Records with the variant forced, submits and waits.</summary>
    protected void Record(KernelVariant variant, Action<CommandRecorder> record)
    {
        using var commands = Device.CreateCommandList();
        commands.Begin();
        using var recorder = new CommandRecorder(Device, commands, variant);
        record(recorder);
        commands.End();
        commands.Submit();
        commands.Wait();
    }

    protected static double[] ToDouble(float[] a) => Array.ConvertAll(a, v => (double)v);

    protected static double[] Add(double[] a, float[] b)
    {
        var r = new double[a.Length];
        for (int i = 0; i < r.Length; i++) r[i] = a[i] + b[i];
        return r;
    }
}
