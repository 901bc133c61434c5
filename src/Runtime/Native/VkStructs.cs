using System.Runtime.InteropServices;

namespace VkResNet.Runtime.Native;

// The Vulkan structs VkResNet passes, laid out field for field as in vulkan_core.h.
// Sequential layout with C#'s natural alignment matches C's on every 64-bit target we support.
#pragma warning disable CS0649 // fields are written by the driver

public unsafe struct VkApplicationInfo
{
    public VkStructureType sType; public void* pNext;
    public byte* pApplicationName; public uint applicationVersion;
    public byte* pEngineName; public uint engineVersion; public uint apiVersion;
}

public unsafe struct VkInstanceCreateInfo
{
    public VkStructureType sType; public void* pNext; public uint flags;
    public VkApplicationInfo* pApplicationInfo;
    public uint enabledLayerCount; public byte** ppEnabledLayerNames;
    public uint enabledExtensionCount; public byte** ppEnabledExtensionNames;
}

public unsafe struct VkValidationFeaturesEXT
{
    public VkStructureType sType; public void* pNext;
    public uint enabledValidationFeatureCount; public int* pEnabledValidationFeatures;
    public uint disabledValidationFeatureCount; public int* pDisabledValidationFeatures;
}

public unsafe struct VkDebugUtilsMessengerCreateInfoEXT
{
    public VkStructureType sType; public void* pNext; public uint flags;
    public uint messageSeverity; public uint messageType;
    public void* pfnUserCallback; public void* pUserData;
}

public unsafe struct VkDebugUtilsMessengerCallbackDataEXT
{
    public VkStructureType sType; public void* pNext; public uint flags;
    public byte* pMessageIdName; public int messageIdNumber; public byte* pMessage;
    public uint queueLabelCount; public void* pQueueLabels;
    public uint cmdBufLabelCount; public void* pCmdBufLabels;
    public uint objectCount; public void* pObjects;
}

public unsafe struct VkDebugUtilsObjectNameInfoEXT
{
    public VkStructureType sType; public void* pNext;
    public int objectType; public ulong objectHandle; public byte* pObjectName;
}

public unsafe struct VkLayerProperties
{
    public fixed byte layerName[256]; public uint specVersion; public uint implementationVersion;
    public fixed byte description[256];
}

public unsafe struct VkExtensionProperties { public fixed byte extensionName[256]; public uint specVersion; }

public unsafe struct VkPhysicalDeviceLimits
{
    public uint maxImageDimension1D, maxImageDimension2D, maxImageDimension3D, maxImageDimensionCube, maxImageArrayLayers;
    public uint maxTexelBufferElements, maxUniformBufferRange, maxStorageBufferRange, maxPushConstantsSize;
    public uint maxMemoryAllocationCount, maxSamplerAllocationCount;
    public ulong bufferImageGranularity, sparseAddressSpaceSize;
    public uint maxBoundDescriptorSets, maxPerStageDescriptorSamplers, maxPerStageDescriptorUniformBuffers;
    public uint maxPerStageDescriptorStorageBuffers, maxPerStageDescriptorSampledImages, maxPerStageDescriptorStorageImages;
    public uint maxPerStageDescriptorInputAttachments, maxPerStageResources, maxDescriptorSetSamplers;
    public uint maxDescriptorSetUniformBuffers, maxDescriptorSetUniformBuffersDynamic, maxDescriptorSetStorageBuffers;
    public uint maxDescriptorSetStorageBuffersDynamic, maxDescriptorSetSampledImages, maxDescriptorSetStorageImages;
    public uint maxDescriptorSetInputAttachments, maxVertexInputAttributes, maxVertexInputBindings;
    public uint maxVertexInputAttributeOffset, maxVertexInputBindingStride, maxVertexOutputComponents;
    public uint maxTessellationGenerationLevel, maxTessellationPatchSize;
    public uint maxTessellationControlPerVertexInputComponents, maxTessellationControlPerVertexOutputComponents;
    public uint maxTessellationControlPerPatchOutputComponents, maxTessellationControlTotalOutputComponents;
    public uint maxTessellationEvaluationInputComponents, maxTessellationEvaluationOutputComponents;
    public uint maxGeometryShaderInvocations, maxGeometryInputComponents, maxGeometryOutputComponents;
    public uint maxGeometryOutputVertices, maxGeometryTotalOutputComponents;
    public uint maxFragmentInputComponents, maxFragmentOutputAttachments, maxFragmentDualSrcAttachments;
    public uint maxFragmentCombinedOutputResources;
    public uint maxComputeSharedMemorySize;
    public fixed uint maxComputeWorkGroupCount[3];
    public uint maxComputeWorkGroupInvocations;
    public fixed uint maxComputeWorkGroupSize[3];
    public uint subPixelPrecisionBits, subTexelPrecisionBits, mipmapPrecisionBits;
    public uint maxDrawIndexedIndexValue, maxDrawIndirectCount;
    public float maxSamplerLodBias, maxSamplerAnisotropy;
    public uint maxViewports;
    public fixed uint maxViewportDimensions[2];
    public fixed float viewportBoundsRange[2];
    public uint viewportSubPixelBits;
    public nuint minMemoryMapAlignment;
    public ulong minTexelBufferOffsetAlignment, minUniformBufferOffsetAlignment, minStorageBufferOffsetAlignment;
    public int minTexelOffset; public uint maxTexelOffset; public int minTexelGatherOffset; public uint maxTexelGatherOffset;
    public float minInterpolationOffset, maxInterpolationOffset;
    public uint subPixelInterpolationOffsetBits, maxFramebufferWidth, maxFramebufferHeight, maxFramebufferLayers;
    public uint framebufferColorSampleCounts, framebufferDepthSampleCounts, framebufferStencilSampleCounts;
    public uint framebufferNoAttachmentsSampleCounts, maxColorAttachments;
    public uint sampledImageColorSampleCounts, sampledImageIntegerSampleCounts, sampledImageDepthSampleCounts;
    public uint sampledImageStencilSampleCounts, storageImageSampleCounts, maxSampleMaskWords;
    public uint timestampComputeAndGraphics; public float timestampPeriod;
    public uint maxClipDistances, maxCullDistances, maxCombinedClipAndCullDistances, discreteQueuePriorities;
    public fixed float pointSizeRange[2];
    public fixed float lineWidthRange[2];
    public float pointSizeGranularity, lineWidthGranularity;
    public uint strictLines, standardSampleLocations;
    public ulong optimalBufferCopyOffsetAlignment, optimalBufferCopyRowPitch, nonCoherentAtomSize;
}

public struct VkPhysicalDeviceSparseProperties
{
    public uint residencyStandard2DBlockShape, residencyStandard2DMultisampleBlockShape, residencyStandard3DBlockShape;
    public uint residencyAlignedMipSize, residencyNonResidentStrict;
}

public unsafe struct VkPhysicalDeviceProperties
{
    public uint apiVersion, driverVersion, vendorID, deviceID;
    public VkPhysicalDeviceType deviceType;
    public fixed byte deviceName[256];
    public fixed byte pipelineCacheUUID[16];
    public VkPhysicalDeviceLimits limits;
    public VkPhysicalDeviceSparseProperties sparseProperties;
}

public unsafe struct VkPhysicalDeviceProperties2
{
    public VkStructureType sType; public void* pNext; public VkPhysicalDeviceProperties properties;
}

public unsafe struct VkPhysicalDeviceSubgroupProperties
{
    public VkStructureType sType; public void* pNext;
    public uint subgroupSize, supportedStages, supportedOperations, quadOperationsInAllStages;
}

public unsafe struct VkPhysicalDeviceDriverProperties
{
    public VkStructureType sType; public void* pNext;
    public int driverID;
    public fixed byte driverName[256];
    public fixed byte driverInfo[256];
    public uint conformanceVersion;
}

/// <summary>VkPhysicalDeviceFeatures: 55 VkBool32 members; VkResNet reads none by name but must pass the block.</summary>
public unsafe struct VkPhysicalDeviceFeatures { public fixed uint bools[55]; }

public unsafe struct VkPhysicalDeviceFeatures2
{
    public VkStructureType sType; public void* pNext; public VkPhysicalDeviceFeatures features;
}

public unsafe struct VkPhysicalDeviceShaderFloat16Int8Features
{
    public VkStructureType sType; public void* pNext; public uint shaderFloat16, shaderInt8;
}

public unsafe struct VkPhysicalDeviceTimelineSemaphoreFeatures
{
    public VkStructureType sType; public void* pNext; public uint timelineSemaphore;
}

public struct VkQueueFamilyProperties
{
    public VkQueueFlags queueFlags; public uint queueCount, timestampValidBits;
    public uint minGranularityWidth, minGranularityHeight, minGranularityDepth;
}

public unsafe struct VkDeviceQueueCreateInfo
{
    public VkStructureType sType; public void* pNext; public uint flags;
    public uint queueFamilyIndex, queueCount; public float* pQueuePriorities;
}

public unsafe struct VkDeviceCreateInfo
{
    public VkStructureType sType; public void* pNext; public uint flags;
    public uint queueCreateInfoCount; public VkDeviceQueueCreateInfo* pQueueCreateInfos;
    public uint enabledLayerCount; public byte** ppEnabledLayerNames;
    public uint enabledExtensionCount; public byte** ppEnabledExtensionNames;
    public VkPhysicalDeviceFeatures* pEnabledFeatures;
}

public struct VkMemoryType { public VkMemoryProperty propertyFlags; public uint heapIndex; }
public struct VkMemoryHeap { public ulong size; public VkMemoryHeapFlags flags; }

public unsafe struct VkPhysicalDeviceMemoryProperties
{
    public uint memoryTypeCount;
    public fixed uint memoryTypes[32 * 2];   // VkMemoryType[32]: read through MemoryType(i)
    public uint memoryHeapCount;
    public fixed ulong memoryHeaps[16 * 2];  // VkMemoryHeap[16]: read through MemoryHeap(i)

    public VkMemoryType MemoryType(int i) => new() { propertyFlags = (VkMemoryProperty)memoryTypes[2 * i], heapIndex = memoryTypes[2 * i + 1] };
    public VkMemoryHeap MemoryHeap(int i) => new() { size = memoryHeaps[2 * i], flags = (VkMemoryHeapFlags)(uint)memoryHeaps[2 * i + 1] };
}

public unsafe struct VkMemoryAllocateInfo
{
    public VkStructureType sType; public void* pNext; public ulong allocationSize; public uint memoryTypeIndex;
}

public unsafe struct VkMappedMemoryRange
{
    public VkStructureType sType; public void* pNext; public VkDeviceMemory memory; public ulong offset, size;
}

public unsafe struct VkBufferCreateInfo
{
    public VkStructureType sType; public void* pNext; public uint flags;
    public ulong size; public VkBufferUsage usage; public int sharingMode;
    public uint queueFamilyIndexCount; public uint* pQueueFamilyIndices;
}

public struct VkMemoryRequirements { public ulong size, alignment; public uint memoryTypeBits; }

public unsafe struct VkBufferViewCreateInfo
{
    public VkStructureType sType; public void* pNext; public uint flags;
    public VkBuffer buffer; public VkFormat format; public ulong offset, range;
}

public unsafe struct VkShaderModuleCreateInfo
{
    public VkStructureType sType; public void* pNext; public uint flags; public nuint codeSize; public uint* pCode;
}

public unsafe struct VkDescriptorSetLayoutBinding
{
    public uint binding; public VkDescriptorType descriptorType; public uint descriptorCount; public uint stageFlags;
    public void* pImmutableSamplers;
}

public unsafe struct VkDescriptorSetLayoutCreateInfo
{
    public VkStructureType sType; public void* pNext; public uint flags;
    public uint bindingCount; public VkDescriptorSetLayoutBinding* pBindings;
}

public struct VkPushConstantRange { public uint stageFlags, offset, size; }

public unsafe struct VkPipelineLayoutCreateInfo
{
    public VkStructureType sType; public void* pNext; public uint flags;
    public uint setLayoutCount; public VkDescriptorSetLayout* pSetLayouts;
    public uint pushConstantRangeCount; public VkPushConstantRange* pPushConstantRanges;
}

public struct VkSpecializationMapEntry { public uint constantID, offset; public nuint size; }

public unsafe struct VkSpecializationInfo
{
    public uint mapEntryCount; public VkSpecializationMapEntry* pMapEntries; public nuint dataSize; public void* pData;
}

public unsafe struct VkPipelineShaderStageCreateInfo
{
    public VkStructureType sType; public void* pNext; public uint flags;
    public uint stage; public VkShaderModule module; public byte* pName; public VkSpecializationInfo* pSpecializationInfo;
}

public unsafe struct VkComputePipelineCreateInfo
{
    public VkStructureType sType; public void* pNext; public uint flags;
    public VkPipelineShaderStageCreateInfo stage; public VkPipelineLayout layout;
    public VkPipeline basePipelineHandle; public int basePipelineIndex;
}

public unsafe struct VkPipelineCacheCreateInfo
{
    public VkStructureType sType; public void* pNext; public uint flags; public nuint initialDataSize; public void* pInitialData;
}

public struct VkDescriptorPoolSize { public VkDescriptorType type; public uint descriptorCount; }

public unsafe struct VkDescriptorPoolCreateInfo
{
    public VkStructureType sType; public void* pNext; public uint flags;
    public uint maxSets, poolSizeCount; public VkDescriptorPoolSize* pPoolSizes;
}

public unsafe struct VkDescriptorSetAllocateInfo
{
    public VkStructureType sType; public void* pNext; public VkDescriptorPool descriptorPool;
    public uint descriptorSetCount; public VkDescriptorSetLayout* pSetLayouts;
}

public struct VkDescriptorBufferInfo { public VkBuffer buffer; public ulong offset, range; }

public unsafe struct VkWriteDescriptorSet
{
    public VkStructureType sType; public void* pNext; public VkDescriptorSet dstSet;
    public uint dstBinding, dstArrayElement, descriptorCount; public VkDescriptorType descriptorType;
    public VkDescriptorImageInfo* pImageInfo; public VkDescriptorBufferInfo* pBufferInfo; public VkBufferView* pTexelBufferView;
}

public unsafe struct VkCommandPoolCreateInfo
{
    public VkStructureType sType; public void* pNext; public uint flags; public uint queueFamilyIndex;
}

public unsafe struct VkCommandBufferAllocateInfo
{
    public VkStructureType sType; public void* pNext; public VkCommandPool commandPool; public int level; public uint commandBufferCount;
}

public unsafe struct VkCommandBufferBeginInfo
{
    public VkStructureType sType; public void* pNext; public uint flags; public void* pInheritanceInfo;
}

public unsafe struct VkMemoryBarrier
{
    public VkStructureType sType; public void* pNext; public VkAccess srcAccessMask, dstAccessMask;
}

public unsafe struct VkBufferMemoryBarrier
{
    public VkStructureType sType; public void* pNext; public VkAccess srcAccessMask, dstAccessMask;
    public uint srcQueueFamilyIndex, dstQueueFamilyIndex; public VkBuffer buffer; public ulong offset, size;
}

public struct VkBufferCopy { public ulong srcOffset, dstOffset, size; }

public unsafe struct VkQueryPoolCreateInfo
{
    public VkStructureType sType; public void* pNext; public uint flags;
    public int queryType; public uint queryCount; public uint pipelineStatistics;
}

public unsafe struct VkSubmitInfo
{
    public VkStructureType sType; public void* pNext;
    public uint waitSemaphoreCount; public VkSemaphore* pWaitSemaphores; public VkPipelineStage* pWaitDstStageMask;
    public uint commandBufferCount; public VkCommandBuffer* pCommandBuffers;
    public uint signalSemaphoreCount; public VkSemaphore* pSignalSemaphores;
}

public unsafe struct VkFenceCreateInfo { public VkStructureType sType; public void* pNext; public uint flags; }
public unsafe struct VkSemaphoreCreateInfo { public VkStructureType sType; public void* pNext; public uint flags; }

public unsafe struct VkSemaphoreTypeCreateInfo
{
    public VkStructureType sType; public void* pNext; public int semaphoreType; public ulong initialValue;
}

public unsafe struct VkTimelineSemaphoreSubmitInfo
{
    public VkStructureType sType; public void* pNext;
    public uint waitSemaphoreValueCount; public ulong* pWaitSemaphoreValues;
    public uint signalSemaphoreValueCount; public ulong* pSignalSemaphoreValues;
}

public unsafe struct VkSemaphoreWaitInfo
{
    public VkStructureType sType; public void* pNext; public uint flags;
    public uint semaphoreCount; public VkSemaphore* pSemaphores; public ulong* pValues;
}

public unsafe struct VkSemaphoreSignalInfo
{
    public VkStructureType sType; public void* pNext; public VkSemaphore semaphore; public ulong value;
}
#pragma warning restore CS0649
