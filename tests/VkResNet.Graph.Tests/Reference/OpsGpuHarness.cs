using VkResNet.Graph.Compiler;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Kernels;
using VkResNet.Runtime;
using VkResNet.Runtime.Tests;
using Buffer = VkResNet.Runtime.Buffer;

namespace VkResNet.Graph.Tests.Reference;

/// <summary>
/// Base of the non-conv kernel GPU tests: buffers padded to 16 bytes like the tensor allocator's,
/// and one helper that records launchers through the real CommandRecorder, submits and waits.
/// </summary>
public abstract class OpsGpuTest(GpuFixture gpu) : GpuTest(gpu)
{
    private readonly List<Buffer> _buffers = [];

    private static long Padded(long count) => Math.Max(16, (count * 4 + 15) / 16 * 16);

    /// <summary>A device buffer holding <paramref name="data"/> as float32, its slice padded to 16 bytes.</summary>
    protected BufferSlice Upload(double[] data, string name = "t")
    {
        var b = Device.CreateBuffer(Padded(data.Length), MemoryKind.DeviceLocal, name);
        _buffers.Add(b);
        var f = new float[b.Size / 4];
        for (int i = 0; i < data.Length; i++)
            f[i] = (float)data[i];
        Device.Upload<float>(b.All, f);
        return b.All;
    }

    protected BufferSlice UploadInts(int[] data, string name = "labels")
    {
        var b = Device.CreateBuffer(Padded(data.Length), MemoryKind.DeviceLocal, name);
        _buffers.Add(b);
        var f = new int[b.Size / 4];
        data.CopyTo(f, 0);
        Device.Upload<int>(b.All, f);
        return b.All;
    }

    /// <summary>A buffer for an output of <paramref name="count"/> floats, pre-filled with NaN so unwritten values show.</summary>
    protected BufferSlice Output(long count, string name = "out") => Upload(Enumerable.Repeat(double.NaN, (int)count).ToArray(), name);

    protected float[] Read(BufferSlice s, long count) => Device.Download<float>(s)[..(int)count];
    protected int[] ReadInts(BufferSlice s, long count) => Device.Download<int>(s)[..(int)count];

    /// <summary>Records <paramref name="record"/> through a CommandRecorder, submits, and waits.</summary>
    protected void Run(Action<CommandRecorder> record)
    {
        using var cl = Device.CreateCommandList();
        using var rec = new CommandRecorder(Device, cl);
        cl.Begin();
        cl.TransferToComputeBarrier();
        record(rec);
        cl.ComputeToTransferBarrier();
        cl.End();
        cl.Submit();
        cl.Wait();
    }

    public override void Dispose()
    {
        foreach (var b in _buffers)
            b.Dispose();
        _buffers.Clear();
        base.Dispose();
    }
}

/// <summary>
/// xunit only finds collection definitions in the test assembly itself, so this assembly declares the
/// "gpu" collection again: every GPU test here shares the Runtime tests' GpuFixture (one device).
/// </summary>
[Xunit.CollectionDefinition(GpuCollection.Name)]
public sealed class GraphGpuCollection : Xunit.ICollectionFixture<GpuFixture>;
