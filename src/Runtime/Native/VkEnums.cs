namespace VkResNet.Runtime.Native;

// Only the enum values VkResNet uses, with the numbers of the Vulkan registry (vk.xml).

public enum VkResult
{
    VK_SUCCESS = 0,
    VK_NOT_READY = 1,
    VK_TIMEOUT = 2,
    VK_EVENT_SET = 3,
    VK_EVENT_RESET = 4,
    VK_INCOMPLETE = 5,
    VK_ERROR_OUT_OF_HOST_MEMORY = -1,
    VK_ERROR_OUT_OF_DEVICE_MEMORY = -2,
    VK_ERROR_INITIALIZATION_FAILED = -3,
    VK_ERROR_DEVICE_LOST = -4,
    VK_ERROR_MEMORY_MAP_FAILED = -5,
    VK_ERROR_LAYER_NOT_PRESENT = -6,
    VK_ERROR_EXTENSION_NOT_PRESENT = -7,
    VK_ERROR_FEATURE_NOT_PRESENT = -8,
    VK_ERROR_INCOMPATIBLE_DRIVER = -9,
    VK_ERROR_TOO_MANY_OBJECTS = -10,
    VK_ERROR_FORMAT_NOT_SUPPORTED = -11,
    VK_ERROR_FRAGMENTED_POOL = -12,
    VK_ERROR_UNKNOWN = -13,
    VK_ERROR_OUT_OF_POOL_MEMORY = -1000069000,
    VK_ERROR_FRAGMENTATION = -1000161000,
    VK_ERROR_SURFACE_LOST_KHR = -1000000000,
    VK_ERROR_NATIVE_WINDOW_IN_USE_KHR = -1000000001,
    VK_SUBOPTIMAL_KHR = 1000001003,
    VK_ERROR_OUT_OF_DATE_KHR = -1000001004,
    VK_ERROR_VALIDATION_FAILED_EXT = -1000011001,
}

public enum VkStructureType
{
    ApplicationInfo = 0,
    InstanceCreateInfo = 1,
    DeviceQueueCreateInfo = 2,
    DeviceCreateInfo = 3,
    SubmitInfo = 4,
    MemoryAllocateInfo = 5,
    MappedMemoryRange = 6,
    FenceCreateInfo = 8,
    SemaphoreCreateInfo = 9,
    QueryPoolCreateInfo = 11,
    BufferCreateInfo = 12,
    BufferViewCreateInfo = 13,
    ImageCreateInfo = 14,
    ImageViewCreateInfo = 15,
    ShaderModuleCreateInfo = 16,
    PipelineCacheCreateInfo = 17,
    PipelineShaderStageCreateInfo = 18,
    ComputePipelineCreateInfo = 29,
    PipelineLayoutCreateInfo = 30,
    DescriptorSetLayoutCreateInfo = 32,
    DescriptorPoolCreateInfo = 33,
    DescriptorSetAllocateInfo = 34,
    WriteDescriptorSet = 35,
    CommandPoolCreateInfo = 39,
    CommandBufferAllocateInfo = 40,
    CommandBufferBeginInfo = 42,
    BufferMemoryBarrier = 44,
    ImageMemoryBarrier = 45,
    MemoryBarrier = 46,
    SwapchainCreateInfoKhr = 1000001000,
    PresentInfoKhr = 1000001001,
    PhysicalDeviceFeatures2 = 1000059000,
    PhysicalDeviceProperties2 = 1000059001,
    PhysicalDeviceShaderFloat16Int8Features = 1000082000,
    PhysicalDeviceSubgroupProperties = 1000094000,
    DebugUtilsObjectNameInfoExt = 1000128000,
    DebugUtilsMessengerCallbackDataExt = 1000128003,
    DebugUtilsMessengerCreateInfoExt = 1000128004,
    PhysicalDeviceDriverProperties = 1000196000,
    PhysicalDeviceTimelineSemaphoreFeatures = 1000207000,
    SemaphoreTypeCreateInfo = 1000207002,
    TimelineSemaphoreSubmitInfo = 1000207003,
    SemaphoreWaitInfo = 1000207004,
    SemaphoreSignalInfo = 1000207005,
    ValidationFeaturesExt = 1000247000,
}

public enum VkPhysicalDeviceType { Other = 0, IntegratedGpu = 1, DiscreteGpu = 2, VirtualGpu = 3, Cpu = 4 }

public enum VkDescriptorType
{
    CombinedImageSampler = 1,
    SampledImage = 2,
    StorageImage = 3,
    UniformTexelBuffer = 4,
    StorageTexelBuffer = 5,
    UniformBuffer = 6,
    StorageBuffer = 7,
}

public enum VkFormat
{
    Undefined = 0,
    R8G8B8A8Unorm = 37,
    R8G8B8A8Srgb = 43,
    B8G8R8A8Unorm = 44,
    B8G8R8A8Srgb = 50,
    R32Uint = 98,
    R32Sint = 99,
    R32Sfloat = 100,
    R32G32B32A32Sfloat = 109,
}

[Flags]
public enum VkBufferUsage : uint
{
    TransferSrc = 0x1,
    TransferDst = 0x2,
    UniformTexelBuffer = 0x4,
    StorageTexelBuffer = 0x8,
    UniformBuffer = 0x10,
    StorageBuffer = 0x20,
}

[Flags]
public enum VkMemoryProperty : uint { DeviceLocal = 0x1, HostVisible = 0x2, HostCoherent = 0x4, HostCached = 0x8 }

[Flags]
public enum VkMemoryHeapFlags : uint { DeviceLocal = 0x1 }

[Flags]
public enum VkQueueFlags : uint { Graphics = 0x1, Compute = 0x2, Transfer = 0x4 }

[Flags]
public enum VkPipelineStage : uint
{
    TopOfPipe = 0x1,
    ComputeShader = 0x800,
    Transfer = 0x1000,
    BottomOfPipe = 0x2000,
    Host = 0x4000,
    AllCommands = 0x10000,
}

[Flags]
public enum VkAccess : uint
{
    None = 0,
    ShaderRead = 0x20,
    ShaderWrite = 0x40,
    TransferRead = 0x800,
    TransferWrite = 0x1000,
    HostRead = 0x2000,
    HostWrite = 0x4000,
    MemoryRead = 0x8000,
    MemoryWrite = 0x10000,
}

public static class VkConst
{
    public const uint ShaderStageCompute = 0x20;
    public const int PipelineBindPointCompute = 1;
    public const int QueryTypeTimestamp = 2;
    public const uint QueryResult64 = 0x1;
    public const uint QueryResultWait = 0x2;
    public const uint CommandPoolResetCommandBuffer = 0x2;
    public const uint CommandBufferUsageOneTimeSubmit = 0x1;
    public const uint CommandBufferUsageSimultaneousUse = 0x4;
    public const uint DescriptorPoolFreeDescriptorSet = 0x1;
    public const int CommandBufferLevelPrimary = 0;
    public const int SharingModeExclusive = 0;
    public const uint FenceCreateSignaled = 0x1;
    public const int SemaphoreTypeTimeline = 1;
    public const uint QueueFamilyIgnored = ~0u;
    public const ulong WholeSize = ~0ul;
    public const int ValidationFeatureEnableSynchronization = 4;
    public const uint DebugSeverityVerbose = 0x1, DebugSeverityInfo = 0x10, DebugSeverityWarning = 0x100, DebugSeverityError = 0x1000;
    public const uint DebugTypeGeneral = 0x1, DebugTypeValidation = 0x2, DebugTypePerformance = 0x4;

    public static uint MakeApiVersion(uint major, uint minor, uint patch) => (major << 22) | (minor << 12) | patch;
    public static string ApiVersionString(uint v) => $"{v >> 22 & 0x7F}.{v >> 12 & 0x3FF}.{v & 0xFFF}";
}
