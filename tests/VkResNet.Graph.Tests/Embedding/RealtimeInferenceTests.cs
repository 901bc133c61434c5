using VkResNet.Graph.Data;
using VkResNet.Graph.Embedding;
using VkResNet.Runtime;
using VkResNet.Runtime.Native;
using VkResNet.Runtime.Tests;
using Xunit;
using static VkResNet.Graph.Tests.Embedding.EmbeddingModels;

namespace VkResNet.Graph.Tests.Embedding;

/// <summary>
/// Real-time inference on the test device: tickets, the readback ring, recording into another command
/// buffer, frame slicing (bit-identical to a one-shot run), the RGBA8 pre-pass path and the
/// no-allocation steady state. Validation (synchronization included) must stay silent throughout.
/// </summary>
public class RealtimeInferenceTests(GpuFixture gpu) : GpuTest(gpu)
{
    [Fact]
    public void Ticket_IsNotCompleteBeforeItsWaitIsReleased_AndCompleteAfterWait()
    {
        var (model, graph) = ResNet20(Device);
        using var g = graph;
        using var inference = RealtimeInference.Create(graph, model.Input, model.Logits);
        var x = Input(model, 1);
        var expected = RunOneShot(graph, model, x);

        // The app holds the GPU back with its own timeline semaphore: the ticket cannot finish before the host releases it.
        using var gate = new TimelineSemaphore(Device);
        var ticket = inference.Submit(x, gate.Handle, 1);
        Assert.False(ticket.IsComplete, "the inference finished while its wait was not yet signalled");
        Assert.Throws<InvalidOperationException>(() => { _ = ticket.Result; });
        gate.Signal(1);
        ticket.Wait();
        Assert.True(ticket.IsComplete);
        Assert.Equal(inference.Semaphore, ticket.Semaphore);
        Assert.Null(FirstDifference(expected, ticket.Result));
    }

    [Fact]
    public void AppSubmission_WaitsOnTheTicketSemaphore_AndReadsTheResultAsAGpuBuffer()
    {
        var (model, graph) = ResNet20(Device);
        using var g = graph;
        using var inference = RealtimeInference.Create(graph, model.Input, model.Logits);
        var x = Input(model, 2);
        var expected = RunOneShot(graph, model, x);

        using var gate = new TimelineSemaphore(Device);
        var ticket = inference.Submit(x, gate.Handle, 1);
        // The "app": a copy of the result ring slot into its own buffer, submitted to wait on (semaphore, value).
        using var appBuffer = Device.CreateBuffer(expected.Length * 4, MemoryKind.Readback, "app.logits");
        using var app = Device.CreateCommandList();
        app.Begin();
        app.Copy(inference.ResultSlice(ticket), appBuffer.Slice(0, expected.Length * 4));
        app.TransferToHostBarrier();
        app.End();
        app.Submit([(ticket.Semaphore, ticket.Value)], []);
        Assert.False(app.IsComplete, "the app's submission ran before the inference it waits on");
        gate.Signal(1);
        app.Wait();
        Assert.True(ticket.IsComplete, "the app's wait returned before the ticket's value was signalled");
        Assert.Null(FirstDifference(expected, appBuffer.Mapped<float>()[..expected.Length]));
    }

    [Fact]
    public void Ring_KeepsSlotsResultsUntilReused()
    {
        var (model, graph) = ResNet20(Device);
        using var g = graph;
        using var inference = RealtimeInference.Create(graph, model.Input, model.Logits, new RealtimeOptions { Slots = 2 });
        var inputs = Enumerable.Range(0, 3).Select(i => Input(model, 10 + i)).ToArray();
        var expected = inputs.Select(x => RunOneShot(graph, model, x)).ToArray();

        var t0 = inference.Submit(inputs[0]);
        var t1 = inference.Submit(inputs[1]); // two in flight: no wait so far
        t1.Wait();
        Assert.Null(FirstDifference(expected[0], t0.Result));
        Assert.Null(FirstDifference(expected[1], t1.Result));
        var t2 = inference.Submit(inputs[2]); // reuses t0's slot
        t2.Wait();
        Assert.Null(FirstDifference(expected[2], t2.Result));
        Assert.True(t0.IsComplete);
        var ex = Assert.Throws<InvalidOperationException>(() => { _ = t0.Result; });
        Assert.Contains("overwritten", ex.Message);
    }

    [Fact]
    public void Record_IntoAnotherCommandBuffer_MatchesTheOneShotRun()
    {
        var (model, graph) = ResNet20(Device, batch: 2);
        using var g = graph;
        using var inference = RealtimeInference.Create(graph, model.Input, model.Logits);
        var x = Input(model, 3);
        var expected = RunOneShot(graph, model, x);

        using var app = Device.CreateCommandList(); // stands in for the app's command buffer
        app.Begin();
        var ticket = inference.Record(app.Handle, x);
        app.End();
        Assert.False(ticket.IsComplete);
        app.Submit([], [(ticket.Semaphore, ticket.Value)]);
        ticket.Wait();
        Assert.Null(FirstDifference(expected, ticket.Result));
    }

    public static TheoryData<string> Budgets => new() { "passes:1", "passes:3", "passes:7", "ms:0.05" };

    [Theory, MemberData(nameof(Budgets))]
    public void Slicing_IsBitIdenticalToTheOneShotRun(string budget)
    {
        var (model, graph) = ResNet20(Device);
        using var g = graph;
        var b = budget.Split(':');
        var slicing = b[0] == "passes" ? SliceBudget.Passes(int.Parse(b[1])) : SliceBudget.Milliseconds(double.Parse(b[1], System.Globalization.CultureInfo.InvariantCulture));
        using var inference = RealtimeInference.Create(graph, model.Input, model.Logits, new RealtimeOptions { Slicing = slicing });
        // A millisecond budget's slice count depends on the device's speed; a pass budget's does not.
        Assert.True(inference.Slices.Count > 1 || b[0] == "ms", $"{budget}: {inference.Slices.Count} slice(s) of {inference.PassCount} passes");
        Assert.Equal(inference.PassCount, inference.Slices.Sum(s => s.End - s.Start));
        var x = Input(model, 4);
        var expected = RunOneShot(graph, model, x);

        var ticket = inference.BeginSliced(x);
        int frames = 0;
        while (true)
        {
            bool done = inference.SubmitNextSlice();
            frames++;
            if (done) break;
            Assert.Throws<InvalidOperationException>(() => ticket.Wait()); // half-submitted: waiting would never end
        }
        Assert.Equal(inference.Slices.Count, frames);
        ticket.Wait();
        Assert.Null(FirstDifference(expected, ticket.Result));

        // Recorded into another command buffer, slice by slice, the result is the same too.
        var recorded = inference.BeginSliced(x);
        var lists = new List<CommandList>();
        try
        {
            bool last = false;
            while (!last)
            {
                var cl = Device.CreateCommandList();
                lists.Add(cl);
                cl.Begin();
                last = inference.RecordNextSlice(cl.Handle);
                cl.End();
                if (last) cl.Submit([], [(recorded.Semaphore, recorded.Value)]);
                else cl.Submit();
            }
            recorded.Wait();
            Assert.Null(FirstDifference(expected, recorded.Result));
        }
        finally
        {
            foreach (var cl in lists) cl.Dispose();
        }
    }

    [Fact]
    public void Rgba8Source_MatchesTheHostNormalisedInput()
    {
        var (model, graph) = ResNet20(Device, batch: 2, channels: 3, size: 32);
        using var g = graph;
        var norm = Normalization.Cifar10;
        using var inference = RealtimeInference.Create(graph, model.Input, model.Logits, new RealtimeOptions { Normalization = norm });
        int plane = 32 * 32;
        var rgba = new byte[2 * plane * 4];
        new Random(5).NextBytes(rgba);
        var x = new float[model.Input.Shape.ElementCount];
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < plane; i++)
                    x[(n * 3 + c) * plane + i] = (rgba[(n * plane + i) * 4 + c] / 255f - norm.Mean[c]) / norm.Std[c];
        var expected = RunOneShot(graph, model, x);

        using var pixels = Device.CreateBuffer(rgba.Length, MemoryKind.DeviceLocal, "app.pixels");
        Device.Upload<byte>(pixels.All, rgba);
        var source = inference.RegisterRgba8(pixels.All);
        var ticket = inference.Submit(source);
        ticket.Wait();
        var got = ticket.Result.ToArray();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(got[i] - expected[i]) <= 1e-4 + 1e-4 * Math.Abs(expected[i]), $"logit {i}: expected {expected[i]:G9} got {got[i]:G9}");

        // The same pixels registered as a bare VkBuffer handle (how an app passes its own buffer) give the same bits.
        var byHandle = inference.RegisterRgba8(pixels.Handle, 0, rgba.Length);
        var again = inference.Submit(byHandle);
        again.Wait();
        Assert.Null(FirstDifference(got, again.Result));
    }

    [Fact]
    public void SteadyState_AllocatesNoManagedMemory()
    {
        var (model, graph) = ResNet20(Device);
        using var g = graph;
        using var image = new AppImage(Device, AppImage.Pixels(28 * 28, 6), 28, 28, VkFormat.B8G8R8A8Srgb, VkImageUsage.SampledBit, VkImageLayout.ShaderReadOnlyOptimal);
        using var inference = RealtimeInference.Create(graph, model.Input, model.Logits, new RealtimeOptions { Slicing = SliceBudget.Passes(4) });
        using var pixels = Device.CreateBuffer(28 * 28 * 4, MemoryKind.DeviceLocal, "app.pixels");
        var source = inference.RegisterRgba8(pixels.All);
        var fromImage = inference.RegisterRgba8Image(image.Info, VkImageLayout.ShaderReadOnlyOptimal);
        using var app = Device.CreateCommandList();
        var x = Input(model, 6);
        float sum = 0;
        Steps(5); // the warm-up covers the paths; a few more steps settle any lazy runtime state
        long before = GC.GetAllocatedBytesForCurrentThread();
        Steps(100);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"100 steady steps allocated {allocated} bytes");
        Assert.True(float.IsFinite(sum));

        void Steps(int n)
        {
            for (int i = 0; i < n; i++)
            {
                var t = (i % 5) switch
                {
                    0 => inference.Submit(x),
                    1 => inference.Submit(source),
                    2 => Sliced(),
                    3 => inference.Submit(fromImage),
                    _ => Recorded(),
                };
                while (!t.IsComplete) t.Wait();
                sum += t.Result[0];
            }
        }

        InferenceTicket Sliced()
        {
            var t = inference.BeginSliced(x);
            while (!inference.SubmitNextSlice()) { }
            return t;
        }

        InferenceTicket Recorded()
        {
            app.Begin();
            var t = inference.Record(app.Handle, x);
            app.End();
            app.Submit([], [(t.Semaphore, t.Value)]);
            return t;
        }
    }
}
