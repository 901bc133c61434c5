using VkResNet.Runtime;

namespace VkResNet.Bench;

/// <summary>
/// The one Vulkan device every benchmark of a run shares (benchmarks run in process, so a run opens the
/// device once), and the fp32 peak <see cref="PeakProbe"/> measured on it at the start of the run: the
/// denominator of every "% peak" column.
/// </summary>
public static class BenchDevice
{
    static readonly Lazy<(VulkanContext Context, Device Device)> Shared = new(() =>
    {
        var switches = RuntimeSwitches.FromEnvironment(); // read once, here at the bench's edge
        var ctx = VulkanContext.Create(switches.Apply(new ContextOptions { Validation = false }));
        return (ctx, ctx.CreateDevice(switches.Device, switches.Apply(new DeviceOptions())));
    });
    static readonly Lazy<PeakProbe.Result> StartPeak = new(() => PeakProbe.Measure(Device));

    public static Device Device => Shared.Value.Device;

    /// <summary>Vec4 FMA peak (median of 5) measured once when the run starts.</summary>
    public static PeakProbe.Result Peak => StartPeak.Value;

    public static void Dispose()
    {
        if (!Shared.IsValueCreated) return;
        Shared.Value.Device.Dispose();
        Shared.Value.Context.Dispose();
    }
}
