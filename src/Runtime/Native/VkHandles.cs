namespace VkResNet.Runtime.Native;

// What Silk.NET's handle structs lack: a null test and value equality (== on two handles). C# 14 extension
// members add them without wrapping the handles, so a Silk.NET.Vulkan.Buffer stays a plain Buffer everywhere.
public static class VkHandleOps
{
    extension(VkInstance h) { public bool IsNull => h.Handle == 0; }
    extension(VkInstance) { public static bool operator ==(VkInstance a, VkInstance b) => a.Handle == b.Handle; public static bool operator !=(VkInstance a, VkInstance b) => a.Handle != b.Handle; }
    extension(VkPhysicalDevice h) { public bool IsNull => h.Handle == 0; }
    extension(VkPhysicalDevice) { public static bool operator ==(VkPhysicalDevice a, VkPhysicalDevice b) => a.Handle == b.Handle; public static bool operator !=(VkPhysicalDevice a, VkPhysicalDevice b) => a.Handle != b.Handle; }
    extension(VkDevice h) { public bool IsNull => h.Handle == 0; }
    extension(VkDevice) { public static bool operator ==(VkDevice a, VkDevice b) => a.Handle == b.Handle; public static bool operator !=(VkDevice a, VkDevice b) => a.Handle != b.Handle; }
    extension(VkQueue h) { public bool IsNull => h.Handle == 0; }
    extension(VkQueue) { public static bool operator ==(VkQueue a, VkQueue b) => a.Handle == b.Handle; public static bool operator !=(VkQueue a, VkQueue b) => a.Handle != b.Handle; }
    extension(VkCommandBuffer h) { public bool IsNull => h.Handle == 0; }
    extension(VkCommandBuffer) { public static bool operator ==(VkCommandBuffer a, VkCommandBuffer b) => a.Handle == b.Handle; public static bool operator !=(VkCommandBuffer a, VkCommandBuffer b) => a.Handle != b.Handle; }
    extension(VkDeviceMemory h) { public bool IsNull => h.Handle == 0; }
    extension(VkDeviceMemory) { public static bool operator ==(VkDeviceMemory a, VkDeviceMemory b) => a.Handle == b.Handle; public static bool operator !=(VkDeviceMemory a, VkDeviceMemory b) => a.Handle != b.Handle; }
    extension(VkBuffer h) { public bool IsNull => h.Handle == 0; }
    extension(VkBuffer) { public static bool operator ==(VkBuffer a, VkBuffer b) => a.Handle == b.Handle; public static bool operator !=(VkBuffer a, VkBuffer b) => a.Handle != b.Handle; }
    extension(VkBufferView h) { public bool IsNull => h.Handle == 0; }
    extension(VkBufferView) { public static bool operator ==(VkBufferView a, VkBufferView b) => a.Handle == b.Handle; public static bool operator !=(VkBufferView a, VkBufferView b) => a.Handle != b.Handle; }
    extension(VkShaderModule h) { public bool IsNull => h.Handle == 0; }
    extension(VkShaderModule) { public static bool operator ==(VkShaderModule a, VkShaderModule b) => a.Handle == b.Handle; public static bool operator !=(VkShaderModule a, VkShaderModule b) => a.Handle != b.Handle; }
    extension(VkPipeline h) { public bool IsNull => h.Handle == 0; }
    extension(VkPipeline) { public static bool operator ==(VkPipeline a, VkPipeline b) => a.Handle == b.Handle; public static bool operator !=(VkPipeline a, VkPipeline b) => a.Handle != b.Handle; }
    extension(VkPipelineLayout h) { public bool IsNull => h.Handle == 0; }
    extension(VkPipelineLayout) { public static bool operator ==(VkPipelineLayout a, VkPipelineLayout b) => a.Handle == b.Handle; public static bool operator !=(VkPipelineLayout a, VkPipelineLayout b) => a.Handle != b.Handle; }
    extension(VkPipelineCache h) { public bool IsNull => h.Handle == 0; }
    extension(VkPipelineCache) { public static bool operator ==(VkPipelineCache a, VkPipelineCache b) => a.Handle == b.Handle; public static bool operator !=(VkPipelineCache a, VkPipelineCache b) => a.Handle != b.Handle; }
    extension(VkDescriptorSetLayout h) { public bool IsNull => h.Handle == 0; }
    extension(VkDescriptorSetLayout) { public static bool operator ==(VkDescriptorSetLayout a, VkDescriptorSetLayout b) => a.Handle == b.Handle; public static bool operator !=(VkDescriptorSetLayout a, VkDescriptorSetLayout b) => a.Handle != b.Handle; }
    extension(VkDescriptorPool h) { public bool IsNull => h.Handle == 0; }
    extension(VkDescriptorPool) { public static bool operator ==(VkDescriptorPool a, VkDescriptorPool b) => a.Handle == b.Handle; public static bool operator !=(VkDescriptorPool a, VkDescriptorPool b) => a.Handle != b.Handle; }
    extension(VkDescriptorSet h) { public bool IsNull => h.Handle == 0; }
    extension(VkDescriptorSet) { public static bool operator ==(VkDescriptorSet a, VkDescriptorSet b) => a.Handle == b.Handle; public static bool operator !=(VkDescriptorSet a, VkDescriptorSet b) => a.Handle != b.Handle; }
    extension(VkCommandPool h) { public bool IsNull => h.Handle == 0; }
    extension(VkCommandPool) { public static bool operator ==(VkCommandPool a, VkCommandPool b) => a.Handle == b.Handle; public static bool operator !=(VkCommandPool a, VkCommandPool b) => a.Handle != b.Handle; }
    extension(VkFence h) { public bool IsNull => h.Handle == 0; }
    extension(VkFence) { public static bool operator ==(VkFence a, VkFence b) => a.Handle == b.Handle; public static bool operator !=(VkFence a, VkFence b) => a.Handle != b.Handle; }
    extension(VkSemaphore h) { public bool IsNull => h.Handle == 0; }
    extension(VkSemaphore) { public static bool operator ==(VkSemaphore a, VkSemaphore b) => a.Handle == b.Handle; public static bool operator !=(VkSemaphore a, VkSemaphore b) => a.Handle != b.Handle; }
    extension(VkQueryPool h) { public bool IsNull => h.Handle == 0; }
    extension(VkQueryPool) { public static bool operator ==(VkQueryPool a, VkQueryPool b) => a.Handle == b.Handle; public static bool operator !=(VkQueryPool a, VkQueryPool b) => a.Handle != b.Handle; }
    extension(VkDebugUtilsMessengerEXT h) { public bool IsNull => h.Handle == 0; }
    extension(VkDebugUtilsMessengerEXT) { public static bool operator ==(VkDebugUtilsMessengerEXT a, VkDebugUtilsMessengerEXT b) => a.Handle == b.Handle; public static bool operator !=(VkDebugUtilsMessengerEXT a, VkDebugUtilsMessengerEXT b) => a.Handle != b.Handle; }
    extension(VkImage h) { public bool IsNull => h.Handle == 0; }
    extension(VkImage) { public static bool operator ==(VkImage a, VkImage b) => a.Handle == b.Handle; public static bool operator !=(VkImage a, VkImage b) => a.Handle != b.Handle; }
    extension(VkImageView h) { public bool IsNull => h.Handle == 0; }
    extension(VkImageView) { public static bool operator ==(VkImageView a, VkImageView b) => a.Handle == b.Handle; public static bool operator !=(VkImageView a, VkImageView b) => a.Handle != b.Handle; }
    extension(VkSampler h) { public bool IsNull => h.Handle == 0; }
    extension(VkSampler) { public static bool operator ==(VkSampler a, VkSampler b) => a.Handle == b.Handle; public static bool operator !=(VkSampler a, VkSampler b) => a.Handle != b.Handle; }
    extension(VkSurfaceKHR h) { public bool IsNull => h.Handle == 0; }
    extension(VkSurfaceKHR) { public static bool operator ==(VkSurfaceKHR a, VkSurfaceKHR b) => a.Handle == b.Handle; public static bool operator !=(VkSurfaceKHR a, VkSurfaceKHR b) => a.Handle != b.Handle; }
    extension(VkSwapchainKHR h) { public bool IsNull => h.Handle == 0; }
    extension(VkSwapchainKHR) { public static bool operator ==(VkSwapchainKHR a, VkSwapchainKHR b) => a.Handle == b.Handle; public static bool operator !=(VkSwapchainKHR a, VkSwapchainKHR b) => a.Handle != b.Handle; }
}
