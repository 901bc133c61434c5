using System.Globalization;

namespace VkResNet.Runtime;

/// <summary>
/// The runtime's VKRESNET_* switches, read from the environment once at an edge (the CLI's entry, a test fixture, the
/// viewer, the sample, a tool) and applied to <see cref="ContextOptions"/> and <see cref="DeviceOptions"/>; the runtime
/// itself reads none of them. Options the caller set win over the switches.
/// <list type="bullet">
/// <item>VKRESNET_DEVICE: the default device (an index or a name substring).</item>
/// <item>VKRESNET_VALIDATION=1|true|strict: the validation layer with synchronization validation.</item>
/// <item>VKRESNET_KERNEL_VARIANT=cpu|gpu: force the kernel family.</item>
/// <item>VKRESNET_TIMEOUT_S: longest fence wait in seconds before the device is called hung.</item>
/// <item>VKRESNET_CACHE_DIR: folder of the pipeline (and tuning) cache; "none" disables it.</item>
/// </list>
/// (VKRESNET_VULKAN_LIBRARY, VKRESNET_GLFW_LIBRARY and VKRESNET_MPI_LIBRARY name native libraries; their loaders read them.)
/// </summary>
public sealed record RuntimeSwitches(string? Device, bool Validation, KernelVariant? Variant, TimeSpan? FenceTimeout, string? CacheDirectory)
{
    /// <summary>The process environment's switches; throws <see cref="ArgumentException"/> naming a bad value.</summary>
    public static RuntimeSwitches FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    public static RuntimeSwitches FromEnvironment(Func<string, string?> env) => new(
        env("VKRESNET_DEVICE") is { Length: > 0 } d ? d : null,
        env("VKRESNET_VALIDATION") is "1" or "true" or "strict",
        env("VKRESNET_KERNEL_VARIANT")?.ToLowerInvariant() switch
        {
            null or "" => null,
            "cpu" => KernelVariant.Cpu,
            "gpu" => KernelVariant.Gpu,
            string other => throw new ArgumentException($"VKRESNET_KERNEL_VARIANT={other} is not a kernel variant; use cpu or gpu."),
        },
        double.TryParse(env("VKRESNET_TIMEOUT_S"), CultureInfo.InvariantCulture, out double s) && s > 0 ? TimeSpan.FromSeconds(s) : null,
        env("VKRESNET_CACHE_DIR") is { Length: > 0 } c ? c : null);

    /// <summary>The context options with validation on when the caller left it open and VKRESNET_VALIDATION asks for it.</summary>
    public ContextOptions Apply(ContextOptions options) => options with { Validation = options.Validation ?? (Validation ? true : null) };

    /// <summary>The device options with the variant, fence timeout and cache folder the caller left open taken from the switches.</summary>
    public DeviceOptions Apply(DeviceOptions options) => options with
    {
        Variant = options.Variant ?? Variant,
        FenceTimeout = options.FenceTimeout ?? FenceTimeout,
        PipelineCacheDirectory = options.PipelineCacheDirectory ?? CacheDirectory,
    };
}
