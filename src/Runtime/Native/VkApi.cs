using System.Runtime.InteropServices;
using System.Text;

namespace VkResNet.Runtime.Native;

/// <summary>Global and instance-level entry points, resolved once per instance.</summary>
public sealed unsafe class VkInstanceApi
{
    public readonly VkInstance Instance;
    public readonly delegate* unmanaged<VkInstance, void*, void> DestroyInstance;
    public readonly delegate* unmanaged<VkInstance, uint*, VkPhysicalDevice*, VkResult> EnumeratePhysicalDevices;
    public readonly delegate* unmanaged<VkPhysicalDevice, VkPhysicalDeviceProperties*, void> GetPhysicalDeviceProperties;
    public readonly delegate* unmanaged<VkPhysicalDevice, VkPhysicalDeviceProperties2*, void> GetPhysicalDeviceProperties2;
    public readonly delegate* unmanaged<VkPhysicalDevice, VkPhysicalDeviceFeatures2*, void> GetPhysicalDeviceFeatures2;
    public readonly delegate* unmanaged<VkPhysicalDevice, VkPhysicalDeviceMemoryProperties*, void> GetPhysicalDeviceMemoryProperties;
    public readonly delegate* unmanaged<VkPhysicalDevice, uint*, VkQueueFamilyProperties*, void> GetPhysicalDeviceQueueFamilyProperties;
    public readonly delegate* unmanaged<VkPhysicalDevice, byte*, uint*, VkExtensionProperties*, VkResult> EnumerateDeviceExtensionProperties;
    public readonly delegate* unmanaged<VkPhysicalDevice, VkDeviceCreateInfo*, void*, VkDevice*, VkResult> CreateDevice;
    public readonly delegate* unmanaged<VkDevice, byte*, nint> GetDeviceProcAddr;
    public readonly delegate* unmanaged<VkInstance, VkDebugUtilsMessengerCreateInfoEXT*, void*, VkDebugUtilsMessengerEXT*, VkResult> CreateDebugUtilsMessengerEXT;
    public readonly delegate* unmanaged<VkInstance, VkDebugUtilsMessengerEXT, void*, void> DestroyDebugUtilsMessengerEXT;

    public VkInstanceApi(VkInstance instance)
    {
        Instance = instance;
        DestroyInstance = (delegate* unmanaged<VkInstance, void*, void>)VkLoader.Require(instance, "vkDestroyInstance");
        EnumeratePhysicalDevices = (delegate* unmanaged<VkInstance, uint*, VkPhysicalDevice*, VkResult>)VkLoader.Require(instance, "vkEnumeratePhysicalDevices");
        GetPhysicalDeviceProperties = (delegate* unmanaged<VkPhysicalDevice, VkPhysicalDeviceProperties*, void>)VkLoader.Require(instance, "vkGetPhysicalDeviceProperties");
        GetPhysicalDeviceProperties2 = (delegate* unmanaged<VkPhysicalDevice, VkPhysicalDeviceProperties2*, void>)VkLoader.Require(instance, "vkGetPhysicalDeviceProperties2");
        GetPhysicalDeviceFeatures2 = (delegate* unmanaged<VkPhysicalDevice, VkPhysicalDeviceFeatures2*, void>)VkLoader.Require(instance, "vkGetPhysicalDeviceFeatures2");
        GetPhysicalDeviceMemoryProperties = (delegate* unmanaged<VkPhysicalDevice, VkPhysicalDeviceMemoryProperties*, void>)VkLoader.Require(instance, "vkGetPhysicalDeviceMemoryProperties");
        GetPhysicalDeviceQueueFamilyProperties = (delegate* unmanaged<VkPhysicalDevice, uint*, VkQueueFamilyProperties*, void>)VkLoader.Require(instance, "vkGetPhysicalDeviceQueueFamilyProperties");
        EnumerateDeviceExtensionProperties = (delegate* unmanaged<VkPhysicalDevice, byte*, uint*, VkExtensionProperties*, VkResult>)VkLoader.Require(instance, "vkEnumerateDeviceExtensionProperties");
        CreateDevice = (delegate* unmanaged<VkPhysicalDevice, VkDeviceCreateInfo*, void*, VkDevice*, VkResult>)VkLoader.Require(instance, "vkCreateDevice");
        GetDeviceProcAddr = (delegate* unmanaged<VkDevice, byte*, nint>)VkLoader.Require(instance, "vkGetDeviceProcAddr");
        CreateDebugUtilsMessengerEXT = (delegate* unmanaged<VkInstance, VkDebugUtilsMessengerCreateInfoEXT*, void*, VkDebugUtilsMessengerEXT*, VkResult>)VkLoader.Resolve(instance, "vkCreateDebugUtilsMessengerEXT");
        DestroyDebugUtilsMessengerEXT = (delegate* unmanaged<VkInstance, VkDebugUtilsMessengerEXT, void*, void>)VkLoader.Resolve(instance, "vkDestroyDebugUtilsMessengerEXT");
    }

    /// <summary>Global functions callable before an instance exists.</summary>
    public static class Global
    {
        public static delegate* unmanaged<VkInstanceCreateInfo*, void*, VkInstance*, VkResult> CreateInstance =>
            (delegate* unmanaged<VkInstanceCreateInfo*, void*, VkInstance*, VkResult>)VkLoader.Require(default, "vkCreateInstance");
        public static delegate* unmanaged<uint*, VkLayerProperties*, VkResult> EnumerateInstanceLayerProperties =>
            (delegate* unmanaged<uint*, VkLayerProperties*, VkResult>)VkLoader.Require(default, "vkEnumerateInstanceLayerProperties");
        public static delegate* unmanaged<byte*, uint*, VkExtensionProperties*, VkResult> EnumerateInstanceExtensionProperties =>
            (delegate* unmanaged<byte*, uint*, VkExtensionProperties*, VkResult>)VkLoader.Require(default, "vkEnumerateInstanceExtensionProperties");
        public static uint InstanceVersion()
        {
            nint p = VkLoader.Resolve(default, "vkEnumerateInstanceVersion");
            if (p == 0) return VkConst.MakeApiVersion(1, 0, 0);
            uint v;
            Vk.Check(((delegate* unmanaged<uint*, VkResult>)p)(&v));
            return v;
        }
    }
}

/// <summary>Device-level entry points, resolved through vkGetDeviceProcAddr (no loader trampoline).</summary>
public sealed unsafe class VkDeviceApi
{
    public readonly VkDevice Device;
    public readonly delegate* unmanaged<VkDevice, void*, void> DestroyDevice;
    public readonly delegate* unmanaged<VkDevice, uint, uint, VkQueue*, void> GetDeviceQueue;
    public readonly delegate* unmanaged<VkDevice, VkResult> DeviceWaitIdle;
    public readonly delegate* unmanaged<VkDevice, VkMemoryAllocateInfo*, void*, VkDeviceMemory*, VkResult> AllocateMemory;
    public readonly delegate* unmanaged<VkDevice, VkDeviceMemory, void*, void> FreeMemory;
    public readonly delegate* unmanaged<VkDevice, VkDeviceMemory, ulong, ulong, uint, void**, VkResult> MapMemory;
    public readonly delegate* unmanaged<VkDevice, VkDeviceMemory, void> UnmapMemory;
    public readonly delegate* unmanaged<VkDevice, uint, VkMappedMemoryRange*, VkResult> FlushMappedMemoryRanges;
    public readonly delegate* unmanaged<VkDevice, uint, VkMappedMemoryRange*, VkResult> InvalidateMappedMemoryRanges;
    public readonly delegate* unmanaged<VkDevice, VkBufferCreateInfo*, void*, VkBuffer*, VkResult> CreateBuffer;
    public readonly delegate* unmanaged<VkDevice, VkBuffer, void*, void> DestroyBuffer;
    public readonly delegate* unmanaged<VkDevice, VkBuffer, VkMemoryRequirements*, void> GetBufferMemoryRequirements;
    public readonly delegate* unmanaged<VkDevice, VkBuffer, VkDeviceMemory, ulong, VkResult> BindBufferMemory;
    public readonly delegate* unmanaged<VkDevice, VkBufferViewCreateInfo*, void*, VkBufferView*, VkResult> CreateBufferView;
    public readonly delegate* unmanaged<VkDevice, VkBufferView, void*, void> DestroyBufferView;
    public readonly delegate* unmanaged<VkDevice, VkShaderModuleCreateInfo*, void*, VkShaderModule*, VkResult> CreateShaderModule;
    public readonly delegate* unmanaged<VkDevice, VkShaderModule, void*, void> DestroyShaderModule;
    public readonly delegate* unmanaged<VkDevice, VkDescriptorSetLayoutCreateInfo*, void*, VkDescriptorSetLayout*, VkResult> CreateDescriptorSetLayout;
    public readonly delegate* unmanaged<VkDevice, VkDescriptorSetLayout, void*, void> DestroyDescriptorSetLayout;
    public readonly delegate* unmanaged<VkDevice, VkPipelineLayoutCreateInfo*, void*, VkPipelineLayout*, VkResult> CreatePipelineLayout;
    public readonly delegate* unmanaged<VkDevice, VkPipelineLayout, void*, void> DestroyPipelineLayout;
    public readonly delegate* unmanaged<VkDevice, VkPipelineCache, uint, VkComputePipelineCreateInfo*, void*, VkPipeline*, VkResult> CreateComputePipelines;
    public readonly delegate* unmanaged<VkDevice, VkPipeline, void*, void> DestroyPipeline;
    public readonly delegate* unmanaged<VkDevice, VkPipelineCacheCreateInfo*, void*, VkPipelineCache*, VkResult> CreatePipelineCache;
    public readonly delegate* unmanaged<VkDevice, VkPipelineCache, nuint*, void*, VkResult> GetPipelineCacheData;
    public readonly delegate* unmanaged<VkDevice, VkPipelineCache, void*, void> DestroyPipelineCache;
    public readonly delegate* unmanaged<VkDevice, VkDescriptorPoolCreateInfo*, void*, VkDescriptorPool*, VkResult> CreateDescriptorPool;
    public readonly delegate* unmanaged<VkDevice, VkDescriptorPool, void*, void> DestroyDescriptorPool;
    public readonly delegate* unmanaged<VkDevice, VkDescriptorSetAllocateInfo*, VkDescriptorSet*, VkResult> AllocateDescriptorSets;
    public readonly delegate* unmanaged<VkDevice, VkDescriptorPool, uint, VkDescriptorSet*, VkResult> FreeDescriptorSets;
    public readonly delegate* unmanaged<VkDevice, uint, VkWriteDescriptorSet*, uint, void*, void> UpdateDescriptorSets;
    public readonly delegate* unmanaged<VkDevice, VkCommandPoolCreateInfo*, void*, VkCommandPool*, VkResult> CreateCommandPool;
    public readonly delegate* unmanaged<VkDevice, VkCommandPool, void*, void> DestroyCommandPool;
    public readonly delegate* unmanaged<VkDevice, VkCommandBufferAllocateInfo*, VkCommandBuffer*, VkResult> AllocateCommandBuffers;
    public readonly delegate* unmanaged<VkDevice, VkCommandPool, uint, VkCommandBuffer*, void> FreeCommandBuffers;
    public readonly delegate* unmanaged<VkCommandBuffer, VkCommandBufferBeginInfo*, VkResult> BeginCommandBuffer;
    public readonly delegate* unmanaged<VkCommandBuffer, VkResult> EndCommandBuffer;
    public readonly delegate* unmanaged<VkCommandBuffer, uint, VkResult> ResetCommandBuffer;
    public readonly delegate* unmanaged<VkCommandBuffer, int, VkPipeline, void> CmdBindPipeline;
    public readonly delegate* unmanaged<VkCommandBuffer, int, VkPipelineLayout, uint, uint, VkDescriptorSet*, uint, uint*, void> CmdBindDescriptorSets;
    public readonly delegate* unmanaged<VkCommandBuffer, VkPipelineLayout, uint, uint, uint, void*, void> CmdPushConstants;
    public readonly delegate* unmanaged<VkCommandBuffer, uint, uint, uint, void> CmdDispatch;
    public readonly delegate* unmanaged<VkCommandBuffer, VkPipelineStage, VkPipelineStage, uint, uint, VkMemoryBarrier*, uint, VkBufferMemoryBarrier*, uint, void*, void> CmdPipelineBarrier;
    public readonly delegate* unmanaged<VkCommandBuffer, VkBuffer, VkBuffer, uint, VkBufferCopy*, void> CmdCopyBuffer;
    public readonly delegate* unmanaged<VkCommandBuffer, VkBuffer, ulong, ulong, uint, void> CmdFillBuffer;
    public readonly delegate* unmanaged<VkCommandBuffer, VkQueryPool, uint, uint, void> CmdResetQueryPool;
    public readonly delegate* unmanaged<VkCommandBuffer, VkPipelineStage, VkQueryPool, uint, void> CmdWriteTimestamp;
    public readonly delegate* unmanaged<VkDevice, VkQueryPoolCreateInfo*, void*, VkQueryPool*, VkResult> CreateQueryPool;
    public readonly delegate* unmanaged<VkDevice, VkQueryPool, void*, void> DestroyQueryPool;
    public readonly delegate* unmanaged<VkDevice, VkQueryPool, uint, uint, nuint, void*, ulong, uint, VkResult> GetQueryPoolResults;
    public readonly delegate* unmanaged<VkQueue, uint, VkSubmitInfo*, VkFence, VkResult> QueueSubmit;
    public readonly delegate* unmanaged<VkQueue, VkResult> QueueWaitIdle;
    public readonly delegate* unmanaged<VkDevice, VkFenceCreateInfo*, void*, VkFence*, VkResult> CreateFence;
    public readonly delegate* unmanaged<VkDevice, VkFence, void*, void> DestroyFence;
    public readonly delegate* unmanaged<VkDevice, uint, VkFence*, uint, ulong, VkResult> WaitForFences;
    public readonly delegate* unmanaged<VkDevice, uint, VkFence*, VkResult> ResetFences;
    public readonly delegate* unmanaged<VkDevice, VkFence, VkResult> GetFenceStatus;
    public readonly delegate* unmanaged<VkDevice, VkSemaphoreCreateInfo*, void*, VkSemaphore*, VkResult> CreateSemaphore;
    public readonly delegate* unmanaged<VkDevice, VkSemaphore, void*, void> DestroySemaphore;
    public readonly delegate* unmanaged<VkDevice, VkSemaphoreWaitInfo*, ulong, VkResult> WaitSemaphores;
    public readonly delegate* unmanaged<VkDevice, VkSemaphore, ulong*, VkResult> GetSemaphoreCounterValue;
    public readonly delegate* unmanaged<VkDevice, VkSemaphoreSignalInfo*, VkResult> SignalSemaphore;

    public VkDeviceApi(VkInstanceApi instance, VkDevice device)
    {
        Device = device;
        nint Get(string name, bool required = true)
        {
            byte[] bytes = Encoding.ASCII.GetBytes(name + "\0");
            nint p;
            fixed (byte* n = bytes) p = instance.GetDeviceProcAddr(device, n);
            if (p == 0 && required) throw new VulkanUnavailableException($"The Vulkan driver does not provide {name}.");
            return p;
        }
        DestroyDevice = (delegate* unmanaged<VkDevice, void*, void>)Get("vkDestroyDevice");
        GetDeviceQueue = (delegate* unmanaged<VkDevice, uint, uint, VkQueue*, void>)Get("vkGetDeviceQueue");
        DeviceWaitIdle = (delegate* unmanaged<VkDevice, VkResult>)Get("vkDeviceWaitIdle");
        AllocateMemory = (delegate* unmanaged<VkDevice, VkMemoryAllocateInfo*, void*, VkDeviceMemory*, VkResult>)Get("vkAllocateMemory");
        FreeMemory = (delegate* unmanaged<VkDevice, VkDeviceMemory, void*, void>)Get("vkFreeMemory");
        MapMemory = (delegate* unmanaged<VkDevice, VkDeviceMemory, ulong, ulong, uint, void**, VkResult>)Get("vkMapMemory");
        UnmapMemory = (delegate* unmanaged<VkDevice, VkDeviceMemory, void>)Get("vkUnmapMemory");
        FlushMappedMemoryRanges = (delegate* unmanaged<VkDevice, uint, VkMappedMemoryRange*, VkResult>)Get("vkFlushMappedMemoryRanges");
        InvalidateMappedMemoryRanges = (delegate* unmanaged<VkDevice, uint, VkMappedMemoryRange*, VkResult>)Get("vkInvalidateMappedMemoryRanges");
        CreateBuffer = (delegate* unmanaged<VkDevice, VkBufferCreateInfo*, void*, VkBuffer*, VkResult>)Get("vkCreateBuffer");
        DestroyBuffer = (delegate* unmanaged<VkDevice, VkBuffer, void*, void>)Get("vkDestroyBuffer");
        GetBufferMemoryRequirements = (delegate* unmanaged<VkDevice, VkBuffer, VkMemoryRequirements*, void>)Get("vkGetBufferMemoryRequirements");
        BindBufferMemory = (delegate* unmanaged<VkDevice, VkBuffer, VkDeviceMemory, ulong, VkResult>)Get("vkBindBufferMemory");
        CreateBufferView = (delegate* unmanaged<VkDevice, VkBufferViewCreateInfo*, void*, VkBufferView*, VkResult>)Get("vkCreateBufferView");
        DestroyBufferView = (delegate* unmanaged<VkDevice, VkBufferView, void*, void>)Get("vkDestroyBufferView");
        CreateShaderModule = (delegate* unmanaged<VkDevice, VkShaderModuleCreateInfo*, void*, VkShaderModule*, VkResult>)Get("vkCreateShaderModule");
        DestroyShaderModule = (delegate* unmanaged<VkDevice, VkShaderModule, void*, void>)Get("vkDestroyShaderModule");
        CreateDescriptorSetLayout = (delegate* unmanaged<VkDevice, VkDescriptorSetLayoutCreateInfo*, void*, VkDescriptorSetLayout*, VkResult>)Get("vkCreateDescriptorSetLayout");
        DestroyDescriptorSetLayout = (delegate* unmanaged<VkDevice, VkDescriptorSetLayout, void*, void>)Get("vkDestroyDescriptorSetLayout");
        CreatePipelineLayout = (delegate* unmanaged<VkDevice, VkPipelineLayoutCreateInfo*, void*, VkPipelineLayout*, VkResult>)Get("vkCreatePipelineLayout");
        DestroyPipelineLayout = (delegate* unmanaged<VkDevice, VkPipelineLayout, void*, void>)Get("vkDestroyPipelineLayout");
        CreateComputePipelines = (delegate* unmanaged<VkDevice, VkPipelineCache, uint, VkComputePipelineCreateInfo*, void*, VkPipeline*, VkResult>)Get("vkCreateComputePipelines");
        DestroyPipeline = (delegate* unmanaged<VkDevice, VkPipeline, void*, void>)Get("vkDestroyPipeline");
        CreatePipelineCache = (delegate* unmanaged<VkDevice, VkPipelineCacheCreateInfo*, void*, VkPipelineCache*, VkResult>)Get("vkCreatePipelineCache");
        GetPipelineCacheData = (delegate* unmanaged<VkDevice, VkPipelineCache, nuint*, void*, VkResult>)Get("vkGetPipelineCacheData");
        DestroyPipelineCache = (delegate* unmanaged<VkDevice, VkPipelineCache, void*, void>)Get("vkDestroyPipelineCache");
        CreateDescriptorPool = (delegate* unmanaged<VkDevice, VkDescriptorPoolCreateInfo*, void*, VkDescriptorPool*, VkResult>)Get("vkCreateDescriptorPool");
        DestroyDescriptorPool = (delegate* unmanaged<VkDevice, VkDescriptorPool, void*, void>)Get("vkDestroyDescriptorPool");
        AllocateDescriptorSets = (delegate* unmanaged<VkDevice, VkDescriptorSetAllocateInfo*, VkDescriptorSet*, VkResult>)Get("vkAllocateDescriptorSets");
        FreeDescriptorSets = (delegate* unmanaged<VkDevice, VkDescriptorPool, uint, VkDescriptorSet*, VkResult>)Get("vkFreeDescriptorSets");
        UpdateDescriptorSets = (delegate* unmanaged<VkDevice, uint, VkWriteDescriptorSet*, uint, void*, void>)Get("vkUpdateDescriptorSets");
        CreateCommandPool = (delegate* unmanaged<VkDevice, VkCommandPoolCreateInfo*, void*, VkCommandPool*, VkResult>)Get("vkCreateCommandPool");
        DestroyCommandPool = (delegate* unmanaged<VkDevice, VkCommandPool, void*, void>)Get("vkDestroyCommandPool");
        AllocateCommandBuffers = (delegate* unmanaged<VkDevice, VkCommandBufferAllocateInfo*, VkCommandBuffer*, VkResult>)Get("vkAllocateCommandBuffers");
        FreeCommandBuffers = (delegate* unmanaged<VkDevice, VkCommandPool, uint, VkCommandBuffer*, void>)Get("vkFreeCommandBuffers");
        BeginCommandBuffer = (delegate* unmanaged<VkCommandBuffer, VkCommandBufferBeginInfo*, VkResult>)Get("vkBeginCommandBuffer");
        EndCommandBuffer = (delegate* unmanaged<VkCommandBuffer, VkResult>)Get("vkEndCommandBuffer");
        ResetCommandBuffer = (delegate* unmanaged<VkCommandBuffer, uint, VkResult>)Get("vkResetCommandBuffer");
        CmdBindPipeline = (delegate* unmanaged<VkCommandBuffer, int, VkPipeline, void>)Get("vkCmdBindPipeline");
        CmdBindDescriptorSets = (delegate* unmanaged<VkCommandBuffer, int, VkPipelineLayout, uint, uint, VkDescriptorSet*, uint, uint*, void>)Get("vkCmdBindDescriptorSets");
        CmdPushConstants = (delegate* unmanaged<VkCommandBuffer, VkPipelineLayout, uint, uint, uint, void*, void>)Get("vkCmdPushConstants");
        CmdDispatch = (delegate* unmanaged<VkCommandBuffer, uint, uint, uint, void>)Get("vkCmdDispatch");
        CmdPipelineBarrier = (delegate* unmanaged<VkCommandBuffer, VkPipelineStage, VkPipelineStage, uint, uint, VkMemoryBarrier*, uint, VkBufferMemoryBarrier*, uint, void*, void>)Get("vkCmdPipelineBarrier");
        CmdCopyBuffer = (delegate* unmanaged<VkCommandBuffer, VkBuffer, VkBuffer, uint, VkBufferCopy*, void>)Get("vkCmdCopyBuffer");
        CmdFillBuffer = (delegate* unmanaged<VkCommandBuffer, VkBuffer, ulong, ulong, uint, void>)Get("vkCmdFillBuffer");
        CmdResetQueryPool = (delegate* unmanaged<VkCommandBuffer, VkQueryPool, uint, uint, void>)Get("vkCmdResetQueryPool");
        CmdWriteTimestamp = (delegate* unmanaged<VkCommandBuffer, VkPipelineStage, VkQueryPool, uint, void>)Get("vkCmdWriteTimestamp");
        CreateQueryPool = (delegate* unmanaged<VkDevice, VkQueryPoolCreateInfo*, void*, VkQueryPool*, VkResult>)Get("vkCreateQueryPool");
        DestroyQueryPool = (delegate* unmanaged<VkDevice, VkQueryPool, void*, void>)Get("vkDestroyQueryPool");
        GetQueryPoolResults = (delegate* unmanaged<VkDevice, VkQueryPool, uint, uint, nuint, void*, ulong, uint, VkResult>)Get("vkGetQueryPoolResults");
        QueueSubmit = (delegate* unmanaged<VkQueue, uint, VkSubmitInfo*, VkFence, VkResult>)Get("vkQueueSubmit");
        QueueWaitIdle = (delegate* unmanaged<VkQueue, VkResult>)Get("vkQueueWaitIdle");
        CreateFence = (delegate* unmanaged<VkDevice, VkFenceCreateInfo*, void*, VkFence*, VkResult>)Get("vkCreateFence");
        DestroyFence = (delegate* unmanaged<VkDevice, VkFence, void*, void>)Get("vkDestroyFence");
        WaitForFences = (delegate* unmanaged<VkDevice, uint, VkFence*, uint, ulong, VkResult>)Get("vkWaitForFences");
        ResetFences = (delegate* unmanaged<VkDevice, uint, VkFence*, VkResult>)Get("vkResetFences");
        GetFenceStatus = (delegate* unmanaged<VkDevice, VkFence, VkResult>)Get("vkGetFenceStatus");
        CreateSemaphore = (delegate* unmanaged<VkDevice, VkSemaphoreCreateInfo*, void*, VkSemaphore*, VkResult>)Get("vkCreateSemaphore");
        DestroySemaphore = (delegate* unmanaged<VkDevice, VkSemaphore, void*, void>)Get("vkDestroySemaphore");
        // Timeline semaphores are core in 1.2; absent on older drivers (callers fall back to fences).
        WaitSemaphores = (delegate* unmanaged<VkDevice, VkSemaphoreWaitInfo*, ulong, VkResult>)Get("vkWaitSemaphores", required: false);
        GetSemaphoreCounterValue = (delegate* unmanaged<VkDevice, VkSemaphore, ulong*, VkResult>)Get("vkGetSemaphoreCounterValue", required: false);
        SignalSemaphore = (delegate* unmanaged<VkDevice, VkSemaphoreSignalInfo*, VkResult>)Get("vkSignalSemaphore", required: false);
    }
}

/// <summary>Small helpers for C strings in fixed buffers.</summary>
public static unsafe class VkStrings
{
    public static string FromFixed(byte* p, int max)
    {
        int n = 0;
        while (n < max && p[n] != 0) n++;
        return Encoding.UTF8.GetString(p, n);
    }

    /// <summary>Allocates a null-terminated UTF-8 copy with <see cref="Marshal.AllocHGlobal(int)"/>; free with <see cref="Free"/>.</summary>
    public static byte* Alloc(string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        byte* p = (byte*)Marshal.AllocHGlobal(bytes.Length + 1);
        bytes.AsSpan().CopyTo(new Span<byte>(p, bytes.Length));
        p[bytes.Length] = 0;
        return p;
    }

    public static void Free(byte* p) => Marshal.FreeHGlobal((nint)p);
}
