namespace VkResNet.Runtime;

/// <summary>How to create a <see cref="VulkanContext"/>.</summary>
public sealed record ContextOptions
{
    /// <summary>Enable VK_LAYER_KHRONOS_validation with synchronization validation. Null: VKRESNET_VALIDATION=1 decides.</summary>
    public bool? Validation { get; init; }

    /// <summary>Instance extensions the embedding app needs too (e.g. VK_KHR_surface for a window).</summary>
    public IReadOnlyList<string> InstanceExtensions { get; init; } = [];

    public string ApplicationName { get; init; } = "VkResNet";

    internal bool ValidationEnabled => Validation ?? Environment.GetEnvironmentVariable("VKRESNET_VALIDATION") is "1" or "true" or "strict";
}
