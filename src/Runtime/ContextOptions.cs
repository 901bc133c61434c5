namespace VkResNet.Runtime;

/// <summary>How to create a <see cref="VulkanContext"/>.</summary>
public sealed record ContextOptions
{
    /// <summary>Enable VK_LAYER_KHRONOS_validation with synchronization validation. Null: off (the edge applies VKRESNET_VALIDATION with <see cref="RuntimeSwitches"/>).</summary>
    public bool? Validation { get; init; }

    /// <summary>Instance extensions the embedding app needs too (e.g. VK_KHR_surface for a window).</summary>
    public IReadOnlyList<string> InstanceExtensions { get; init; } = [];

    public string ApplicationName { get; init; } = "VkResNet";

    /// <summary>
    /// Path of the Vulkan loader to open; null: the platform's names (libvulkan.so.1, vulkan-1.dll...). The loader is opened once per
    /// process, by the first context (the edge applies VKRESNET_VULKAN_LIBRARY with <see cref="RuntimeSwitches"/>).
    /// </summary>
    public string? VulkanLibrary { get; init; }

    internal bool ValidationEnabled => Validation == true;
}
