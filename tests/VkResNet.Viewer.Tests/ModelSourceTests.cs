using VkResNet.Graph.IO;
using VkResNet.Graph.Training;
using VkResNet.Runtime.Tests;
using VkResNet.Viewer.Rendering;
using VkResNet.Viewer.Sources;
using Xunit;

namespace VkResNet.Viewer.Tests;

/// <summary>
/// The model source on a real (initialised) ResNet-20 and Fashion-MNIST test images, validation on:
/// the stage tensors survive BN folding and epilogue fusion by name and value, a headless screenshot
/// has one tile per channel that is flat exactly where the activations are, the top-5 names are the
/// model's, and --live puts a rewritten checkpoint's weights into the same compiled graph.
/// </summary>
public sealed class ModelSourceTests(GpuFixture gpu) : GpuTest(gpu), IDisposable
{
    const int W = 800, H = 500;
    readonly string _dir = Directory.CreateTempSubdirectory("vkresnet-viewer-model-").FullName;
    string CheckpointPath => Path.Combine(_dir, FeatureSources.CheckpointFile);

    static Func<InferenceModel, ImageList> FashionMnistTest => m =>
        ImageList.FromDataset("fashion-mnist", TinyCheckpoint.FashionMnist, (m.Spec.InputChannels, m.Spec.InputHeight, m.Spec.InputWidth));

    ModelFeatureSource Open(TimeSpan? live = null)
    {
        Assert.True(Directory.Exists(TinyCheckpoint.FashionMnist), $"Fashion-MNIST is not at {TinyCheckpoint.FashionMnist}: sudo apt-get install dataset-fashion-mnist");
        if (!File.Exists(CheckpointPath)) TinyCheckpoint.Write(Device, CheckpointPath, seed: 1);
        return ModelFeatureSource.Open(Device, CheckpointPath, FashionMnistTest, live, TextWriter.Null);
    }

    static RasterImage Render(ModelFeatureSource source, ViewState state, out ViewLayout layout)
    {
        using var renderer = new FrameRenderer(source, slots: 1);
        var image = Screenshot.Render(renderer, state, W, H);
        layout = renderer.Layout(state);
        return image;
    }

    static (byte, byte, byte) Pixel(RasterImage im, int x, int y) => (im[y, x, 0], im[y, x, 1], im[y, x, 2]);

    [Fact]
    public void Folded_and_fused_graph_keeps_every_stage_tensor_by_name_and_value()
    {
        TinyCheckpoint.Write(Device, CheckpointPath, seed: 3);
        var image = Graph.Data.Dataset.LoadFashionMnist(TinyCheckpoint.FashionMnist, train: false).GetImage(5).ToArray();
        using var plain = InferenceModel.Load(Device, CheckpointPath, optimize: false, keepStages: true);
        using var fused = InferenceModel.Load(Device, CheckpointPath, optimize: true, keepStages: true);
        Assert.Equal(["stem", "layer1", "layer2", "layer3", "avgpool", "logits"], fused.Model.Stages);
        Assert.True(fused.Model.Graph.Folds.Count > 0, "the optimised graph folded no batch norm");
        foreach (var m in new[] { plain, fused })
        {
            m.SetImage(0, image);
            m.Run();
        }
        foreach (string stage in fused.Model.Stages)
        {
            var a = fused.Model.Graph[stage];
            Assert.False(a.IsTransient, $"stage {stage} is still aliased in the arena");
            float[] want = plain.Graph.Read(plain.Model.Graph[stage]), got = fused.Graph.Read(a);
            Assert.Equal(want.Length, got.Length);
            double scale = want.Max(v => Math.Abs(v));
            Assert.True(scale > 0, $"stage {stage} is all zeros: the comparison would prove nothing");
            for (int i = 0; i < want.Length; i++)
                Assert.True(Math.Abs(want[i] - got[i]) <= 1e-4 + 1e-3 * scale,
                    $"stage {stage} element {i}: folded+fused {got[i]}, plain {want[i]} (scale {scale})");
        }
    }

    [Theory]
    [InlineData(3, 1, false)] // layer1: 16 channels of 28x28
    [InlineData(0, 0, false)] // stem
    [InlineData(3, 3, true)]  // layer3: 64 channels of 7x7, per-stage normalisation
    public void Screenshot_of_a_model_shows_one_tile_per_channel_flat_only_where_activations_are(int index, int stage, bool perStage)
    {
        using var source = Open();
        source.SelectImage(index);
        var state = new ViewState { PerStageNormalisation = perStage };
        state.SelectStage(stage, source.Stages.Count);
        var im = Render(source, state, out var l);

        var st = source.Stages[stage];
        Assert.Equal(["stem", "layer1", "layer2", "layer3", "avgpool"], source.Stages.Select(s => s.Name));
        Assert.Equal(st.C, l.TileCount); // every channel on one page at this size
        float[] data = Device.Download<float>(st.Data).AsSpan(0, (int)st.Elements).ToArray();
        int varying = 0;
        for (int t = 0; t < l.TileCount; t++)
        {
            var channel = data.AsSpan(t * st.H * st.W, st.H * st.W);
            float lo = float.MaxValue, hi = float.MinValue;
            foreach (float v in channel) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
            var (x0, y0) = l.TileOrigin(t);
            var colors = new HashSet<(byte, byte, byte)>();
            for (int y = y0; y < y0 + l.TileH; y++)
                for (int x = x0; x < x0 + l.TileW; x++)
                    colors.Add(Pixel(im, x, y));
            string what = $"{st.Name} channel {t} (values {lo}..{hi}, {colors.Count} colours)";
            if (hi - lo > 1e-3f * Math.Max(1f, Math.Abs(hi)))
            {
                varying++;
                Assert.True(colors.Count > 1, $"{what}: varying activations drawn flat");
            }
            else if (hi == lo) Assert.True(colors.Count == 1, $"{what}: constant activations drawn with several colours");
        }
        Assert.True(varying >= st.C / 2, $"only {varying} of {st.C} {st.Name} channels vary: the test image or the weights are degenerate");
        Assert.Contains($"index {index}, true: ", string.Join("\n", source.Notes));
        if (Device.Info.TimestampsSupported) Assert.True(source.InferenceMs > 0, $"inference time {source.InferenceMs} ms from the graph's timestamps");
    }

    [Fact]
    public void Top5_shows_the_models_five_best_classes_by_name()
    {
        using var source = Open();
        source.SelectImage(2);
        var state = new ViewState();
        state.SelectStage(1, source.Stages.Count);
        var im = Render(source, state, out var l);
        var logits = source.Model.Graph.Output(source.Model.Model.Logits);
        var top = InferenceModel.TopK(logits, 5);
        (byte, byte, byte) ink = (0xE6, 0xE6, 0xE6);
        for (int r = 0; r < 5; r++)
        {
            string name = source.ClassNames[top[r].Class];
            int x0 = l.InputRect.X + 2, y0 = l.TopRect.Y + r * ViewLayout.TopRowH + 2;
            for (int k = 0; k < Math.Min(name.Length, 8); k++)
            {
                var g = ScreenshotTests.Glyph(name[k]);
                for (int y = 0; y < 13; y++)
                    for (int x = 0; x < 6; x++)
                    {
                        var p = Pixel(im, x0 + 6 * k + x, y0 + y);
                        Assert.True(g[y, x] == (p == ink),
                            $"rank {r} ({name}, p={top[r].Probability:F3}) char '{name[k]}' pixel ({x},{y}): got {p}, glyph bit {g[y, x]}");
                    }
            }
        }
    }

    [Fact]
    public void Live_source_loads_a_rewritten_checkpoint_into_the_same_graph()
    {
        using var source = Open(live: TimeSpan.FromMilliseconds(20));
        source.SelectImage(7);
        var state = new ViewState();
        state.SelectStage(2, source.Stages.Count);
        var before = Render(source, state, out _);
        float[] logitsBefore = source.Model.Graph.Output(source.Model.Model.Logits).ToArray();
        var graph = source.Model.Graph;
        Assert.False(source.Refresh(), "nothing changed yet, but the source reloaded");

        TinyCheckpoint.Write(Device, CheckpointPath, seed: 2, epoch: 2);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!source.Refresh())
        {
            Assert.True(DateTime.UtcNow < deadline, "the rewritten checkpoint was not picked up within a minute");
            Thread.Sleep(20);
        }
        Assert.Equal(1, source.Reloads);
        Assert.Same(graph, source.Model.Graph);
        Assert.Contains("epoch 2 live", string.Join("\n", source.Notes));

        var after = Render(source, state, out _);
        float[] logitsAfter = source.Model.Graph.Output(source.Model.Model.Logits).ToArray();
        using (var fresh = InferenceModel.Load(Device, CheckpointPath))
        {
            fresh.SetImage(0, Graph.Data.Dataset.LoadFashionMnist(TinyCheckpoint.FashionMnist, train: false).GetImage(7));
            float[] want = fresh.Run().ToArray();
            for (int k = 0; k < want.Length; k++)
                Assert.True(Math.Abs(want[k] - logitsAfter[k]) <= 1e-4 + 1e-4 * Math.Abs(want[k]),
                    $"class {k}: reloaded graph gives {logitsAfter[k]}, a fresh load of the new checkpoint {want[k]}");
        }
        double change = logitsBefore.Zip(logitsAfter, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(change > 1e-3, $"the logits did not change with the new weights (max change {change})");
        int differing = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                if (Pixel(before, x, y) != Pixel(after, x, y)) differing++;
        Assert.True(differing > W * H / 50, $"only {differing} pixels changed after the reload");
        Assert.False(source.Refresh(), "the same checkpoint was loaded twice");
    }

    public override void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
        base.Dispose();
    }
}
