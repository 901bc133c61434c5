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
        Description = "Enable VK_LAYER_KHRONOS_validation with synchronization validation (also VKRESNET_VALIDATION=1)",
    };

    /// <summary>VKRESNET_TUNE and VKRESNET_TUNE_BUDGET_S, read once here at the edge (unset: measure and cache).</summary>
    public static Graph.Tuning.TuningOptions Tuning()
    {
        try { return Graph.Tuning.TuningOptions.FromEnvironment(); }
        catch (ArgumentException e) { throw new UserInputException(e.Message); }
    }

    public static VulkanContext CreateContext(bool validation) =>
        VulkanContext.Create(new ContextOptions { Validation = validation ? true : null });
}
