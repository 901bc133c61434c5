using VkResNet.Graph.Execution;
using VkResNet.Graph.Tuning;

namespace VkResNet.Graph.Edge;

/// <summary>
/// The engine's VKRESNET_* switches, read from the environment once at an edge (the CLI's entry, a test fixture, the viewer
/// or sample's Main) and handed to the library as options: nothing below the edge reads the environment for them.
/// <list type="bullet">
/// <item>VKRESNET_FULL_BARRIERS=1: a barrier before every pass and every step (<see cref="CompileOptions.FullBarriers"/>).</item>
/// <item>VKRESNET_CHECK=1: check every pass against the CPU reference (<see cref="CompileOptions.Check"/>).</item>
/// <item>VKRESNET_WINOGRAD=0|1: Winograd under the fixed rules off or on every shape it applies to (<see cref="TuningOptions.Winograd"/>).</item>
/// <item>VKRESNET_TUNE, VKRESNET_TUNE_BUDGET_S: how conv kernels are chosen (<see cref="TuningOptions.FromEnvironment(string?, string?)"/>).</item>
/// <item>VKRESNET_VERBOSE=1: stack traces on errors (<see cref="TopLevel"/>).</item>
/// </list>
/// </summary>
public sealed record Switches(bool FullBarriers, bool Check, bool? Winograd, string? Tune, string? TuneBudgetSeconds, bool Verbose)
{
    /// <summary>The process environment's switches.</summary>
    public static Switches FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>The switches of any environment (tests pass a dictionary's lookup).</summary>
    public static Switches FromEnvironment(Func<string, string?> env) => new(
        env("VKRESNET_FULL_BARRIERS") == "1",
        env("VKRESNET_CHECK") == "1",
        env("VKRESNET_WINOGRAD") switch { "0" => false, "1" => true, _ => null },
        env("VKRESNET_TUNE"),
        env("VKRESNET_TUNE_BUDGET_S"),
        env("VKRESNET_VERBOSE") == "1");

    /// <summary>VKRESNET_TUNE (unset: full) and VKRESNET_TUNE_BUDGET_S with the Winograd switch; throws <see cref="ArgumentException"/> on a bad value.</summary>
    public TuningOptions Tuning() => TuningOptions.FromEnvironment(Tune, TuneBudgetSeconds) with { Winograd = Winograd };

    /// <summary>Compile options carrying every switch (tuning as <see cref="Tuning"/>); throws <see cref="ArgumentException"/> on a bad value.</summary>
    public CompileOptions Compile() => new() { FullBarriers = FullBarriers, Check = Check, Tuning = Tuning() };
}
