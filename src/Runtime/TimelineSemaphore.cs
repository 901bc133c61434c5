using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>
/// A timeline semaphore: a 64-bit counter the GPU raises when a submission that signals it finishes.
/// The host polls or waits for a value without a device-wide wait, and an app's own submission can
/// wait for the same value. Needs <see cref="Device.TimelineSemaphores"/>.
/// </summary>
public sealed unsafe class TimelineSemaphore : IDisposable
{
    readonly Device _device;
    bool _disposed;

    public VkSemaphore Handle { get; }

    public TimelineSemaphore(Device device, ulong initialValue = 0)
    {
        if (!device.TimelineSemaphores)
            throw new NotSupportedException($"Timeline semaphores are not enabled on {device.Info.Name}; use fences.");
        _device = device;
        var type = new VkSemaphoreTypeCreateInfo { SType = VkStructureType.SemaphoreTypeCreateInfo, SemaphoreType = VkSemaphoreType.Timeline, InitialValue = initialValue };
        var info = new VkSemaphoreCreateInfo { SType = VkStructureType.SemaphoreCreateInfo, PNext = &type };
        VkSemaphore s;
        Vk.Check(device.Api.CreateSemaphore(device.Handle, &info, null, &s), "vkCreateSemaphore");
        Handle = s;
    }

    /// <summary>The highest value the GPU (or the host) has signalled so far; never blocks.</summary>
    public ulong CompletedValue
    {
        get
        {
            ulong v;
            Vk.Check(_device.Api.GetSemaphoreCounterValue(_device.Handle, Handle, &v), "vkGetSemaphoreCounterValue");
            return v;
        }
    }

    /// <summary>Waits until the counter reaches <paramref name="value"/>; a wait past the timeout (default: the device's) throws <see cref="DeviceTimeoutException"/>.</summary>
    public void Wait(ulong value, TimeSpan? timeout = null)
    {
        TimeSpan t = timeout ?? _device.FenceTimeout;
        VkSemaphore s = Handle;
        var info = new VkSemaphoreWaitInfo { SType = VkStructureType.SemaphoreWaitInfo, SemaphoreCount = 1, PSemaphores = &s, PValues = &value };
        ulong ns = (ulong)Math.Min(t.Ticks * 100.0, ulong.MaxValue / 2.0);
        VkResult r = Vk.CheckAllow(_device.Api.WaitSemaphores(_device.Handle, &info, ns), "vkWaitSemaphores");
        if (r == VkResult.Timeout)
            throw new DeviceTimeoutException($"The GPU did not reach timeline value {value} within {t.TotalSeconds:F1} s on {_device.Info.Name}.");
    }

    /// <summary>Raises the counter from the host (e.g. to release a submission that waits for it).</summary>
    public void Signal(ulong value)
    {
        var info = new VkSemaphoreSignalInfo { SType = VkStructureType.SemaphoreSignalInfo, Semaphore = Handle, Value = value };
        Vk.Check(_device.Api.SignalSemaphore(_device.Handle, &info), "vkSignalSemaphore");
    }

    /// <summary>
    /// Waits for the device's queue to go idle, then destroys the semaphore. The wait is what makes destroying it safe right
    /// after the last submission that waited on or signalled it finished: Mesa's common queue code (lavapipe 22.3) releases a
    /// submission's timeline points on its submit thread after the submission's fence has signalled, and destroying the
    /// semaphore before that crashed the process (<c>TimelineSemaphore_CanBeDestroyedRightAfterItsLastWaiterFinished</c>).
    /// A teardown step: on an app's device it waits for the app's work on that queue too, and the app must not submit to the
    /// queue from another thread meanwhile (vkQueueWaitIdle needs the queue to itself).
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _device.Api.QueueWaitIdle(_device.Queue); // a lost device has nothing left to wait for: destroy anyway
        _device.Api.DestroySemaphore(_device.Handle, Handle, null);
    }
}
