using VkResNet.Graph.Execution;
using VkResNet.Graph.Kernels;
using VkResNet.Runtime;
using Buffer = VkResNet.Runtime.Buffer;

namespace VkResNet.Bench;

/// <summary>
/// What one timed conv pass needs: x, w, y (filled with seeded random data where the pass reads them; backward
/// passes use y as dy and x / w as their outputs), a scratch slice, and a reusable command list holding the pass
/// between two timestamps, recorded once through <see cref="CommandRecorder"/>.
/// </summary>
public sealed class ConvRig : IDisposable
{
    /// <summary>Records the pass: recorder, shape, x, w, y, scratch (null when none was asked for).</summary>
    public delegate void Pass(CommandRecorder r, Conv2dShape s, BufferSlice x, BufferSlice w, BufferSlice y, BufferSlice? scratch);

    readonly List<Buffer> _buffers = [];
    readonly CommandRecorder _recorder;

    public CommandList Commands { get; }

    public ConvRig(Conv2dShape s, KernelVariant variant, ConvDirection direction, long scratchBytes, Pass pass)
    {
        var device = BenchDevice.Device;
        var rng = new Random(7);
        BufferSlice Tensor(long elements, string name, bool fill)
        {
            var b = device.CreateBuffer((elements * sizeof(float) + 15) & ~15L, name: name);
            _buffers.Add(b);
            if (fill)
            {
                var v = new float[elements];
                for (int i = 0; i < v.Length; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
                device.Upload(b.All.Slice(0, elements * sizeof(float)), (ReadOnlySpan<float>)v);
            }
            return b.All;
        }

        var x = Tensor(s.InputElements, "x", direction != ConvDirection.BackwardInput);
        var w = Tensor(s.WeightElements, "w", direction != ConvDirection.BackwardWeight);
        var y = Tensor(s.OutputElements, "y", direction != ConvDirection.Forward);
        BufferSlice? scratch = scratchBytes > 0 ? Tensor(scratchBytes / sizeof(float), "scratch", false) : null;

        Commands = device.CreateCommandList(timestampCapacity: 2);
        _recorder = new CommandRecorder(device, Commands, variant);
        Commands.Begin(reusable: true);
        Commands.WriteTimestamp();
        pass(_recorder, s, x, w, y, scratch);
        Commands.WriteTimestamp();
        Commands.End();
    }

    public void Dispose()
    {
        Commands.Dispose();
        _recorder.Dispose();
        foreach (var b in _buffers) b.Dispose();
        _buffers.Clear();
    }
}
