using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>A Vulkan call failed. The message names the call and the result.</summary>
public class VulkanException : Exception
{
    public VkResult Result { get; }
    public string Call { get; }

    public VulkanException(VkResult result, string call, string? message = null)
        : base(message ?? $"{call} failed with {Vk.Name(result)}")
    {
        Result = result;
        Call = call;
    }

    internal static VulkanException For(VkResult result, string call) => result switch
    {
        VkResult.ErrorOutOfDeviceMemory or VkResult.ErrorOutOfHostMemory =>
            new OutOfDeviceMemoryException(result, call, $"Out of {(result == VkResult.ErrorOutOfHostMemory ? "host" : "device")} memory: {call} failed with {Vk.Name(result)}. Use a smaller batch or model."),
        VkResult.ErrorDeviceLost => new VulkanException(result, call, $"The Vulkan device was lost during {call} (driver crash, reset or timeout)."),
        _ => new VulkanException(result, call),
    };
}

/// <summary>An allocation did not fit in device or host memory.</summary>
public sealed class OutOfDeviceMemoryException : VulkanException
{
    public OutOfDeviceMemoryException(VkResult result, string call, string message) : base(result, call, message) { }
}

/// <summary>No Vulkan loader, no device, or a device without what VkResNet needs.</summary>
public sealed class VulkanUnavailableException(string message) : Exception(message);

/// <summary>The GPU did not finish within the wait's timeout: a hung device becomes an error, not a frozen process.</summary>
public sealed class DeviceTimeoutException(string message) : Exception(message);

/// <summary>The validation layer reported a problem (raised by tests and by VKRESNET_VALIDATION=strict).</summary>
public sealed class ValidationException(string message) : Exception(message);
