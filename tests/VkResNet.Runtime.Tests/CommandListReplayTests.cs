using VkResNet.Runtime;
using VkResNet.Runtime.Native;
using Xunit;

namespace VkResNet.Runtime.Tests;

/// <summary>
/// A command list replays what it kept (dispatches with their push constants, copies, fills, barriers)
/// into other lists and into any command buffer, as often as asked, and a timeline semaphore counts what the GPU finished.
/// </summary>
public sealed class CommandListReplayTests(GpuFixture gpu) : GpuTest(gpu)
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(1000, 3)]
    public void Replay_MatchesTheSameCommandsRecordedDirectly(int n, int replays)
    {
        var x = RandomData.Uniform(n, 11);
        var y = RandomData.Uniform(n, 12);
        using var bx = UploadNew(x);
        using var by = UploadNew(y);
        using var copy = Device.CreateBuffer(n * 4L);
        var k = Device.GetKernel("test_saxpy", new SpecConstant(0, 64));
        using var set = Device.CreateBindingSet(k, [bx.All, by.All]);
        var kept = new CommandList(Device);
        kept.Dispatch(k, set, new SaxpyPush { N = (uint)n, A = 0.5f }, (uint)((n + 63) / 64));
        kept.Barrier(BarrierKind.ComputeToTransfer);
        kept.Fill(copy.All, 0);
        kept.Barrier(BarrierKind.TransferToCompute);
        kept.Copy(by.Slice(0, n * 4L), copy.Slice(0, n * 4L));
        kept.FullBarrier();
        Assert.Equal(1, kept.DispatchCount);
        Assert.Equal(6, kept.Count);
        Assert.Equal(BarrierMasks.Of(BarrierKind.ComputeToTransfer), kept.BarrierAt(1));
        Assert.Null(kept.BarrierAt(0));

        using var cl = Device.CreateCommandList();
        cl.Begin(reusable: true);
        for (int r = 0; r < replays; r++) cl.Append(kept);
        cl.End();
        Assert.Equal(replays, cl.DispatchCount);
        Assert.Equal(3 * replays, cl.BarrierCount);
        Assert.Equal(6 * replays, cl.Count);
        cl.Submit();
        cl.Wait();

        var expected = new double[n];
        for (int i = 0; i < n; i++)
        {
            double v = y[i];
            for (int r = 0; r < replays; r++) v = (float)(0.5 * x[i] + v);
            expected[i] = v;
        }
        Tolerance.AssertClose(expected, Device.Download<float>(copy.Slice(0, n * 4L)), 1e-6, 1e-6, $"saxpy replayed {replays}x");
    }

    [Fact]
    public void Replay_RejectsARangeOutsideTheList()
    {
        var kept = new CommandList(Device);
        kept.FullBarrier();
        using var cl = Device.CreateCommandList();
        cl.Begin();
        Assert.Throws<ArgumentOutOfRangeException>(() => cl.Append(kept, 0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => kept.Replay(cl.Handle, 1, 0));
        cl.End();
    }

    [Fact]
    public void A_list_that_only_keeps_its_commands_cannot_be_submitted()
    {
        var kept = new CommandList(Device);
        Assert.False(kept.HasCommandBuffer);
        Assert.Throws<InvalidOperationException>(() => kept.Begin());
        Assert.Throws<InvalidOperationException>(() => kept.Submit());
        Assert.Throws<InvalidOperationException>(() => kept.Handle);
        using var cl = Device.CreateCommandList();
        Assert.True(cl.HasCommandBuffer);
        Assert.Throws<InvalidOperationException>(() => cl.FullBarrier()); // a list with a command buffer records between Begin and End
    }

    [Fact]
    public void TimelineSemaphore_CountsSignalsAndReleasesASubmissionThatWaits()
    {
        Assert.True(Device.TimelineSemaphores, "lavapipe supports timeline semaphores");
        using var gate = new TimelineSemaphore(Device);
        using var done = new TimelineSemaphore(Device, initialValue: 5);
        Assert.Equal(0ul, gate.CompletedValue);
        Assert.Equal(5ul, done.CompletedValue);
        using var cl = Device.CreateCommandList();
        cl.Begin();
        cl.FullBarrier();
        cl.End();
        cl.Submit([(gate.Handle, 2)], [(done.Handle, 6)]);
        Assert.False(cl.IsComplete);
        gate.Signal(2);
        done.Wait(6);
        Assert.Equal(6ul, done.CompletedValue);
        cl.Wait();
    }

    /// <summary>
    /// One submission signals a timeline value, a second waits on it; once the second's fence signalled the semaphore is
    /// destroyed. Without the queue wait in <see cref="TimelineSemaphore.Dispose"/> lavapipe's submit thread still released the
    /// wait's timeline point afterwards, into freed memory: the test host crashed in 4 of 6 runs of 2000 rounds at load ~4.
    /// </summary>
    [Fact]
    public void TimelineSemaphore_CanBeDestroyedRightAfterItsLastWaiterFinished()
    {
        Assert.True(Device.TimelineSemaphores, "lavapipe supports timeline semaphores");
        using var signaller = Device.CreateCommandList();
        using var waiter = Device.CreateCommandList();
        signaller.Begin(reusable: true);
        signaller.End();
        waiter.Begin(reusable: true);
        waiter.End();
        const int rounds = 2000;
        int completed = 0;
        for (int i = 0; i < rounds; i++)
        {
            var timeline = new TimelineSemaphore(Device);
            signaller.Submit([], [(timeline.Handle, 1UL)]);
            waiter.Submit([(timeline.Handle, 1UL)], []);
            waiter.Wait();
            signaller.Wait();
            if (timeline.CompletedValue == 1) completed++;
            timeline.Dispose();
        }
        Assert.Equal(rounds, completed);
    }
}
