using VkResNet.Runtime;
using VkResNet.Viewer.Sources;
using Buffer = VkResNet.Runtime.Buffer;

namespace VkResNet.Viewer.Tests;

/// <summary>A feature source made of host arrays uploaded once (random data for the statistics tests).</summary>
public sealed class ArraySource : IFeatureSource, IDisposable
{
    readonly List<Buffer> _buffers = [];
    public Device Device { get; }
    public StageView Input { get; }
    public IReadOnlyList<StageView> Stages { get; }
    public StageView? Logits { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public int ImageCount { get; }
    public int BatchIndex { get; set; }

    public ArraySource(Device device, (string Name, int N, int C, int H, int W, float[] Data)[] stages, (int N, int K, float[] Data)? logits)
    {
        Device = device;
        ImageCount = stages[0].N;
        int n = stages[0].N;
        var input = new float[n * 3 * 5 * 6];
        for (int i = 0; i < input.Length; i++) input[i] = i % 7;
        Input = Upload("input", n, 3, 5, 6, input);
        Stages = stages.Select(s => Upload(s.Name, s.N, s.C, s.H, s.W, s.Data)).ToArray();
        Logits = logits is var (ln, k, d) ? Upload("logits", ln, k, 1, 1, d) : null;
        ClassNames = logits is var (_, kk, _) ? Enumerable.Range(0, kk).Select(i => $"c{i}").ToArray() : [];
    }

    StageView Upload(string name, int n, int c, int h, int w, float[] data)
    {
        var b = Device.CreateBuffer(data.Length * 4L, MemoryKind.DeviceLocal, name);
        _buffers.Add(b);
        Device.Upload(b.Slice(0, data.Length * 4L), (ReadOnlySpan<float>)data);
        return new StageView(name, n, c, h, w, b.Slice(0, data.Length * 4L));
    }

    public void SelectImage(int index) => BatchIndex = index;
    public bool RecordInference(CommandList commands) => false;

    public void Dispose()
    {
        foreach (var b in _buffers) b.Dispose();
    }
}
