using System.CommandLine;
using VkResNet.Runtime;

namespace VkResNet.Cli.Commands;

/// <summary>Options every GPU command shares.</summary>
public static class CommonOptions
{
    public static Option<string?> Device() => new("--device", "-d")
    {
        Description = "Vulkan device: an index or a name substring (default: VKRESNET_DEVICE, else discrete > integrated > virtual > CPU)",
    };

    public static Option<bool> Validation() => new("--validation")
    {
        Description = "Enable VK_LAYER_KHRONOS_validation with synchronization validation (also VKRESNET_VALIDATION=1); any message fails the command",
    };

    static Graph.Edge.Switches? _switches;

    /// <summary>The switches Program read at the edge (every one already checked); commands take them from here.</summary>
    public static Graph.Edge.Switches Switches =>
        _switches ?? throw new InvalidOperationException("The switches are read at the edge: Program calls CommonOptions.UseSwitches first.");

    public static void UseSwitches(Graph.Edge.Switches switches) => _switches = switches;

    /// <summary>VKRESNET_TUNE, VKRESNET_TUNE_BUDGET_S and VKRESNET_WINOGRAD, as read at the edge (unset: measure and cache).</summary>
    public static Graph.Tuning.TuningOptions Tuning() => Compile().Tuning;

    /// <summary>Every engine switch (VKRESNET_FULL_BARRIERS, VKRESNET_CHECK, the tuning ones), as read at the edge.</summary>
    public static Graph.Execution.CompileOptions Compile() => Switches.Compile();

    /// <summary>VKRESNET_DEVICE, VKRESNET_VALIDATION, VKRESNET_KERNEL_VARIANT, VKRESNET_TIMEOUT_S, VKRESNET_CACHE_DIR and VKRESNET_VULKAN_LIBRARY, as read at the edge.</summary>
    public static RuntimeSwitches ReadRuntime() => Switches.Runtime;

    public static VulkanContext CreateContext(bool validation) =>
        VulkanContext.Create(ReadRuntime().Apply(new ContextOptions { Validation = validation ? true : null }));

    /// <summary>The device <paramref name="selector"/> names (null: VKRESNET_DEVICE, else the best), with the runtime switches applied.</summary>
    public static Device CreateDevice(VulkanContext context, string? selector) =>
        context.CreateDevice(selector ?? ReadRuntime().Device, ReadRuntime().Apply(new VkResNet.Runtime.DeviceOptions()));

    /// <summary>Adds --device and --validation to a command that opens a device; open it with <see cref="DeviceOptions.Open"/>.</summary>
    public static DeviceOptions AddDeviceOptions(this Command command)
    {
        var o = new DeviceOptions(Device(), Validation());
        command.Options.Add(o.Device);
        command.Options.Add(o.Validation);
        return o;
    }
}

/// <summary>The one --device/--validation pair of a command (train, eval, infer, bench, graph, experiment, tune...).</summary>
public sealed record DeviceOptions(Option<string?> Device, Option<bool> Validation)
{
    public string? SelectorOf(ParseResult r) => r.GetValue(Device);
    public bool ValidationOf(ParseResult r) => r.GetValue(Validation);
    /// <summary>True when the user named a device or asked for validation (for commands that need no device otherwise).</summary>
    public bool Given(ParseResult r) => r.GetResult(Device) is { Implicit: false } || r.GetValue(Validation);

    public OpenDevice Open(ParseResult r) => OpenDevice.Create(SelectorOf(r), ValidationOf(r));
}

/// <summary>A context and the selected device; <see cref="Finish"/> fails the command on any validation message.</summary>
public sealed class OpenDevice : IDisposable
{
    public VulkanContext Context { get; }
    public Device Device { get; }
    readonly bool _validation;

    OpenDevice(VulkanContext context, Device device, bool validation) => (Context, Device, _validation) = (context, device, validation);

    /// <param name="choose">picks the device once the context lists them (a distributed rank: its local rank's); null: <paramref name="selector"/></param>
    public static OpenDevice Create(string? selector, bool validation, Func<VulkanContext, string?>? choose = null)
    {
        var ctx = CommonOptions.CreateContext(validation);
        try { return new OpenDevice(ctx, CommonOptions.CreateDevice(ctx, choose != null ? choose(ctx) : selector), validation); }
        catch { ctx.Dispose(); throw; }
    }

    public void Finish()
    {
        if (_validation) Context.ThrowIfValidationMessages();
    }

    public void Dispose()
    {
        Device.Dispose();
        Context.Dispose();
    }
}
