using VkResNet.Graph.Embedding;
using VkResNet.Runtime;
using VkResNet.Runtime.Native;
using VkResNet.Runtime.Tests;
using Xunit;
using static VkResNet.Graph.Tests.Embedding.EmbeddingModels;

namespace VkResNet.Graph.Tests.Embedding;

/// <summary>
/// VkResNet on an app's own instance, device and queue, created with Silk.NET.Vulkan directly by the test: the
/// graph, Submit and Record into the app's command buffer give the plain run's result bit for bit, with
/// timeline semaphores and with the fence fallback; VkResNet destroys none of the app's handles; the
/// app's validation layer (synchronization included) reports nothing. With <c>rawHandles</c> the handles
/// travel as the bare nint values an app on another binding holds, through the documented raw-handle route
/// (Silk's handle structs built from the raw value).
/// </summary>
public class ExternalDeviceTests(GpuFixture gpu) : GpuTest(gpu)
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void RunsOnTheAppsDeviceAndQueue(bool timeline, bool rawHandles)
    {
        using var app = new SilkVulkanApp(timeline);
        // An app on another binding (Vortice.Vulkan, its own P/Invoke) holds the C handles as plain numbers.
        (nint rawInstance, nint rawPhysical, nint rawDevice) = (app.Instance.Handle, app.PhysicalDevice.Handle, app.Device.Handle);
        var instance = rawHandles ? new VkInstance(rawInstance) : app.Instance;
        var physical = rawHandles ? new VkPhysicalDevice(rawPhysical) : app.PhysicalDevice;
        var appDevice = rawHandles ? new VkDevice(rawDevice) : app.Device;
        var context = VulkanContext.FromExternal(instance, SilkVulkanApp.ApiVersion, collectValidation: true);
        var device = Device.FromExternal(context, physical, appDevice, app.QueueFamily, 0,
            new DeviceOptions { TimelineSemaphoresEnabled = timeline, PipelineCacheDirectory = Gpu.CacheDirectory });
        try
        {
            Assert.False(context.OwnsInstance);
            Assert.False(device.OwnsDevice);
            Assert.Equal(app.Queue, device.Queue);
            Assert.Equal(timeline, device.TimelineSemaphores);

            var (model, graph) = ResNet20(device);
            using (graph)
            using (var inference = RealtimeInference.Create(graph, model.Input, model.Logits))
            {
                Assert.Equal(timeline, inference.UsesTimeline);
                var x = Input(model, 8);
                var expected = RunOneShot(graph, model, x);

                var submitted = inference.Submit(x);
                submitted.Wait();
                Assert.Null(FirstDifference(expected, submitted.Result));

                // Recorded into the app's command buffer, submitted by the app on its queue.
                var cb = app.AllocateCommandBuffer();
                app.Begin(cb);
                var recorded = rawHandles ? inference.Record(new VkCommandBuffer(cb.Handle), x) : inference.Record(cb, x);
                app.End(cb);
                Assert.False(recorded.IsComplete);
                if (timeline)
                {
                    app.SubmitAndWait(cb, signal: (recorded.Semaphore, recorded.Value));
                    recorded.Wait();
                }
                else
                {
                    Assert.True(recorded.Semaphore.IsNull);
                    app.SubmitAndWait(cb);
                    Assert.False(recorded.IsComplete); // only the app knows its fence signalled
                    inference.NotifyCompleted(recorded);
                }
                Assert.True(recorded.IsComplete);
                Assert.Null(FirstDifference(expected, recorded.Result));

                if (timeline)
                {
                    // The app's own submission waits on a ticket.
                    var t = inference.Submit(x);
                    var empty = app.AllocateCommandBuffer();
                    app.Begin(empty);
                    app.End(empty);
                    app.SubmitAndWait(empty, wait: (t.Semaphore, t.Value));
                    Assert.True(t.IsComplete, "the app's fence signalled before the ticket it waited on");
                }
            }
            Assert.Empty(context.ValidationMessages);
        }
        finally
        {
            device.Dispose();
            context.Dispose();
        }
        // VkResNet let go without destroying anything: the app's device still takes work.
        var after = app.AllocateCommandBuffer();
        app.Begin(after);
        app.End(after);
        app.SubmitAndWait(after);
    }
}
