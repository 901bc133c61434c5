using System.Globalization;

namespace VkResNet.Runtime;

/// <summary>
/// The runtime's switches, read from the environment once at an edge (an executable's entry through
/// Graph's <c>Switches</c>, a test fixture, the bench) and applied to <see cref="ContextOptions"/> and
/// <see cref="DeviceOptions"/>; the runtime itself reads no environment variable. Options the caller set win over the switches.
/// <list type="bullet">
/// <item>VKRESNET_DEVICE: the default device (an index or a name substring).</item>
/// <item>VKRESNET_VALIDATION=1|true|strict (0|false: off): the validation layer with synchronization validation.</item>
/// <item>VKRESNET_KERNEL_VARIANT=cpu|gpu: force the kernel family.</item>
/// <item>VKRESNET_TIMEOUT_S: longest fence wait in seconds before the device is called hung.</item>
/// <item>VKRESNET_CACHE_DIR: folder of the pipeline (and tuning) cache; "none" disables it. Unset: $XDG_CACHE_HOME/vkresnet
/// when XDG_CACHE_HOME is set, else the runtime's default (~/.cache/vkresnet).</item>
/// <item>VKRESNET_VULKAN_LIBRARY: the Vulkan loader to open (<see cref="ContextOptions.VulkanLibrary"/>).</item>
/// </list>
/// </summary>
public sealed record RuntimeSwitches(string? Device, bool Validation, KernelVariant? Variant, TimeSpan? FenceTimeout, string? CacheDirectory)
{
    /// <summary>Path of the Vulkan loader to open; null: the platform's names.</summary>
    public string? VulkanLibrary { get; init; }

    /// <summary>No switch set: what an embedder that reads no environment gets.</summary>
    public static RuntimeSwitches None { get; } = new(null, false, null, null, null);

    /// <summary>The process environment's switches; throws <see cref="ArgumentException"/> naming a bad value.</summary>
    public static RuntimeSwitches FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>The switches of any environment (tests pass a dictionary's lookup); throws <see cref="ArgumentException"/> naming a bad value.</summary>
    public static RuntimeSwitches FromEnvironment(Func<string, string?> env) => new(
        NonEmpty(env("VKRESNET_DEVICE")),
        Flag("VKRESNET_VALIDATION", env("VKRESNET_VALIDATION"), "strict"),
        env("VKRESNET_KERNEL_VARIANT")?.ToLowerInvariant() switch
        {
            null or "" => null,
            "cpu" => KernelVariant.Cpu,
            "gpu" => KernelVariant.Gpu,
            string other => throw new ArgumentException($"VKRESNET_KERNEL_VARIANT={other} is not a kernel variant; use cpu or gpu."),
        },
        Seconds("VKRESNET_TIMEOUT_S", env("VKRESNET_TIMEOUT_S")),
        NonEmpty(env("VKRESNET_CACHE_DIR")) ?? (NonEmpty(env("XDG_CACHE_HOME")) is string xdg ? Path.Combine(xdg, "vkresnet") : null))
    {
        VulkanLibrary = NonEmpty(env("VKRESNET_VULKAN_LIBRARY")),
    };

    /// <summary>
    /// An on/off switch: unset, empty, 0 or false is off; 1, true or one of <paramref name="alsoOn"/> is on; anything else
    /// throws <see cref="ArgumentException"/> naming the variable, the value and what is allowed.
    /// </summary>
    public static bool Flag(string name, string? value, params string[] alsoOn) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "0" or "false" => false,
        "1" or "true" => true,
        string v when alsoOn.Contains(v) => true,
        _ => throw new ArgumentException($"{name}={value} is not an on/off switch; use 1{string.Concat(alsoOn.Select(a => $", {a}"))} or true to turn it on, 0 or false (or leave it unset) for off."),
    };

    /// <summary>The non-empty value, else null.</summary>
    public static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    static TimeSpan? Seconds(string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0 && s <= 86400 * 7)
            return TimeSpan.FromSeconds(s);
        throw new ArgumentException($"{name}={value} is not a number of seconds in (0, 604800].");
    }

    /// <summary>The context options with validation on when the caller left it open and VKRESNET_VALIDATION asks for it, and the loader the caller left open.</summary>
    public ContextOptions Apply(ContextOptions options) => options with
    {
        Validation = options.Validation ?? (Validation ? true : null),
        VulkanLibrary = options.VulkanLibrary ?? VulkanLibrary,
    };

    /// <summary>The device options with the variant, fence timeout and cache folder the caller left open taken from the switches.</summary>
    public DeviceOptions Apply(DeviceOptions options) => options with
    {
        Variant = options.Variant ?? Variant,
        FenceTimeout = options.FenceTimeout ?? FenceTimeout,
        PipelineCacheDirectory = options.PipelineCacheDirectory ?? CacheDirectory,
    };
}
