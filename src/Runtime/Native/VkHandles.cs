namespace VkResNet.Runtime.Native;

// Typed Vulkan handles. Dispatchable handles are pointers; non-dispatchable ones are 64-bit
// integers on every platform. Each is a one-field struct, so it passes through function
// pointers exactly like the C handle it wraps.

public readonly record struct VkInstance(nint Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkPhysicalDevice(nint Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkDevice(nint Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkQueue(nint Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkCommandBuffer(nint Handle) { public bool IsNull => Handle == 0; }

public readonly record struct VkDeviceMemory(ulong Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkBuffer(ulong Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkBufferView(ulong Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkShaderModule(ulong Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkPipeline(ulong Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkPipelineLayout(ulong Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkPipelineCache(ulong Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkDescriptorSetLayout(ulong Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkDescriptorPool(ulong Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkDescriptorSet(ulong Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkCommandPool(ulong Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkFence(ulong Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkSemaphore(ulong Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkQueryPool(ulong Handle) { public bool IsNull => Handle == 0; }
public readonly record struct VkDebugUtilsMessengerEXT(ulong Handle) { public bool IsNull => Handle == 0; }
