using VkResNet.Runtime;

namespace VkResNet.Viewer.Sources;

/// <summary>
/// A ResNet-shaped source with known patterns, for tests and the demo: an input gradient image and
/// stages whose channel c is a ramp, a checkerboard, a ring or (every <see cref="ConstantEvery"/>-th
/// channel) a constant, with a per-stage scale. Logits favour class (image + 3 * r) for rank r.
/// Data are uploaded once. With <c>animate</c>, "inference" alternates the tensors between two
/// precomputed phases (the patterns of image n and n+1) by GPU copies, so the viewer's inference
/// path, its barriers and the statistics recompute run as they would with a real model.
/// </summary>
public sealed class SyntheticFeatureSource : IFeatureSource, IDisposable
{
    public const int ConstantEvery = 5;
    readonly List<VkResNet.Runtime.Buffer> _buffers = [];
    readonly bool _animate;
    readonly List<(BufferSlice Dst, BufferSlice Phase0, BufferSlice Phase1)> _phases = [];
    int _image, _inferences;

    public Device Device { get; }
    public StageView Input { get; }
    public IReadOnlyList<StageView> Stages { get; }
    public StageView? Logits { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public int ImageCount { get; }
    public int BatchIndex => _image;

    /// <summary>Stage shapes (name, C, H, W) of a ResNet-18 on a 224 input, scaled down by <paramref name="shrink"/>.</summary>
    public static (string Name, int C, int H, int W)[] ResNet18Shapes(int shrink = 1) =>
    [
        ("stem", 64 / shrink, 112 / shrink, 112 / shrink),
        ("maxpool", 64 / shrink, 56 / shrink, 56 / shrink),
        ("layer1", 64 / shrink, 56 / shrink, 56 / shrink),
        ("layer2", 128 / shrink, 28 / shrink, 28 / shrink),
        ("layer3", 256 / shrink, 14 / shrink, 14 / shrink),
        ("layer4", 512 / shrink, 7, 7),
        ("avgpool", 512 / shrink, 1, 1),
    ];

    public SyntheticFeatureSource(Device device, IReadOnlyList<(string Name, int C, int H, int W)> stages, int images = 2,
        int inputSize = 224, int classes = 10, bool animate = false)
    {
        Device = device;
        _animate = animate;
        ImageCount = images;
        Input = Upload("input", images, 3, inputSize, inputSize, InputValue);
        Stages = stages.Select((s, i) => Animated(s.Name, images, s.C, s.H, s.W, (n, c, y, x) => StageValue(i, n, c, y, x, s.H, s.W))).ToArray();
        Logits = Animated("logits", images, classes, 1, 1, (n, c, _, _) => LogitValue(n, c, classes));
        ClassNames = Enumerable.Range(0, classes).Select(k => $"class-{k:D3} synthetic").ToArray();
    }

    static float InputValue(int n, int c, int y, int x) => c switch
    {
        0 => x / 224f * 2f - 1f,
        1 => y / 224f * 2f - 1f,
        _ => n % 2 == 0 ? 0.5f : -0.5f,
    };

    /// <summary>The pattern of channel c: constant channels are the ones tests expect as flat tiles.</summary>
    public static float StageValue(int stage, int n, int c, int y, int x, int h, int w)
    {
        float scale = 1f + stage;
        if (c % ConstantEvery == ConstantEvery - 1 || h * w == 1) return scale * (0.25f + 0.01f * c + 0.1f * n);
        float u = (x + 0.5f) / w, v = (y + 0.5f) / h;
        return (c % 4) switch
        {
            0 => scale * u,
            1 => scale * (((x + y + n) & 1) == 0 ? 1f : -1f),
            2 => scale * MathF.Sqrt((u - 0.5f) * (u - 0.5f) + (v - 0.5f) * (v - 0.5f)),
            _ => scale * (v - 0.5f) * (c + 1),
        };
    }

    static float LogitValue(int n, int k, int classes)
    {
        // Class (n + 3r) mod K gets the r-th highest score; the rest trail.
        for (int r = 0; r < 5; r++)
            if (k == (n + 3 * r) % classes) return 8f - 1.5f * r;
        return -2f - 0.01f * k;
    }

    /// <summary>The tensor, plus (when animating) its two phases: as uploaded, and with image n showing image n+1's pattern.</summary>
    StageView Animated(string name, int n, int c, int h, int w, Func<int, int, int, int, float> value)
    {
        var view = Upload(name, n, c, h, w, value);
        if (_animate)
            _phases.Add((view.Data, Upload(name + "-phase0", n, c, h, w, value).Data, Upload(name + "-phase1", n, c, h, w, (b, ch, y, x) => value(b + 1, ch, y, x)).Data));
        return view;
    }

    StageView Upload(string name, int n, int c, int h, int w, Func<int, int, int, int, float> value)
    {
        var data = new float[n * c * h * w];
        int i = 0;
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        data[i++] = value(b, ch, y, x);
        var buffer = Device.CreateBuffer(data.Length * 4L, MemoryKind.DeviceLocal, name);
        _buffers.Add(buffer);
        Device.Upload(buffer.Slice(0, data.Length * 4L), (ReadOnlySpan<float>)data);
        return new StageView(name, n, c, h, w, buffer.Slice(0, data.Length * 4L));
    }

    public void SelectImage(int index) => _image = ((index % ImageCount) + ImageCount) % ImageCount;

    public bool RecordInference(CommandList commands)
    {
        if (!_animate) return false;
        bool odd = (++_inferences & 1) == 1;
        foreach (var (dst, p0, p1) in _phases) commands.Copy(odd ? p1 : p0, dst);
        return true;
    }

    public void Dispose()
    {
        foreach (var b in _buffers) b.Dispose();
        _buffers.Clear();
    }
}
