using VkResNet.Graph.Execution;
using VkResNet.Graph.Tuning;
using VkResNet.Runtime;

namespace VkResNet.Graph.Edge;

/// <summary>
/// Every switch of an executable, read from the environment once at its edge (<see cref="TopLevel.Run(string, string[], Func{string[], Switches, int}, Func{Exception, int?}?, TextWriter?)"/>,
/// a test fixture) and handed to the libraries as options: nothing below the edge reads the environment.
/// <list type="bullet">
/// <item>VKRESNET_FULL_BARRIERS=1: a barrier before every pass and every step (<see cref="CompileOptions.FullBarriers"/>).</item>
/// <item>VKRESNET_CHECK=1: check every pass against the CPU reference (<see cref="CompileOptions.Check"/>).</item>
/// <item>VKRESNET_WINOGRAD=0|1: Winograd under the fixed rules off or on every shape it applies to (<see cref="TuningOptions.Winograd"/>).</item>
/// <item>VKRESNET_TUNE, VKRESNET_TUNE_BUDGET_S: how conv kernels are chosen (<see cref="TuningOptions.FromEnvironment(string?, string?)"/>).</item>
/// <item>VKRESNET_VERBOSE=1: stack traces on errors (<see cref="TopLevel"/>).</item>
/// <item>VKRESNET_GLFW_LIBRARY, VKRESNET_MPI_LIBRARY: the GLFW (viewer) and libmpi (--distributed) libraries to open.</item>
/// <item>NO_COLOR (https://no-color.org): any value turns off the CLI's escape codes.</item>
/// <item>the runtime's switches (<see cref="RuntimeSwitches"/>: VKRESNET_DEVICE, _VALIDATION, _KERNEL_VARIANT, _TIMEOUT_S, _CACHE_DIR, _VULKAN_LIBRARY).</item>
/// </list>
/// </summary>
public sealed record Switches(bool FullBarriers, bool Check, bool? Winograd, string? Tune, string? TuneBudgetSeconds, bool Verbose)
{
    /// <summary>The runtime's switches, read with the others.</summary>
    public RuntimeSwitches Runtime { get; init; } = RuntimeSwitches.None;
    public string? GlfwLibrary { get; init; }
    public string? MpiLibrary { get; init; }
    public bool NoColor { get; init; }

    /// <summary>The process environment's switches; throws <see cref="UsageException"/> naming the first bad one.</summary>
    public static Switches FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>
    /// The switches of any environment (tests pass a dictionary's lookup), every one checked: a bad value throws
    /// <see cref="UsageException"/> naming the variable, the value and what is allowed, before any work is done.
    /// </summary>
    public static Switches FromEnvironment(Func<string, string?> env)
    {
        try
        {
            var s = new Switches(
                RuntimeSwitches.Flag("VKRESNET_FULL_BARRIERS", env("VKRESNET_FULL_BARRIERS")),
                RuntimeSwitches.Flag("VKRESNET_CHECK", env("VKRESNET_CHECK")),
                env("VKRESNET_WINOGRAD") is { Length: > 0 } w ? RuntimeSwitches.Flag("VKRESNET_WINOGRAD", w) : null,
                env("VKRESNET_TUNE"),
                env("VKRESNET_TUNE_BUDGET_S"),
                RuntimeSwitches.Flag("VKRESNET_VERBOSE", env("VKRESNET_VERBOSE")))
            {
                Runtime = RuntimeSwitches.FromEnvironment(env),
                GlfwLibrary = RuntimeSwitches.NonEmpty(env("VKRESNET_GLFW_LIBRARY")),
                MpiLibrary = RuntimeSwitches.NonEmpty(env("VKRESNET_MPI_LIBRARY")),
                NoColor = !string.IsNullOrEmpty(env("NO_COLOR")),
            };
            _ = s.Tuning(); // VKRESNET_TUNE and _BUDGET_S are checked here too, not at the first compile
            return s;
        }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
    }

    /// <summary>VKRESNET_TUNE (unset: full) and VKRESNET_TUNE_BUDGET_S with the Winograd switch; throws <see cref="ArgumentException"/> on a bad value.</summary>
    public TuningOptions Tuning() => TuningOptions.FromEnvironment(Tune, TuneBudgetSeconds) with { Winograd = Winograd };

    /// <summary>Compile options carrying every switch (tuning as <see cref="Tuning"/>); throws <see cref="ArgumentException"/> on a bad value.</summary>
    public CompileOptions Compile() => new() { FullBarriers = FullBarriers, Check = Check, Tuning = Tuning() };
}
