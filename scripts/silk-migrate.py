#!/usr/bin/env python3
"""Rewrites C# written against the old hand-made binding (src/Runtime/Native before Silk.NET) to Silk.NET.Vulkan:
struct fields (sType -> SType, pNext -> PNext, ...), enum members (VkPipelineStage.ComputeShader -> ComputeShaderBit,
VkResult.VK_SUCCESS -> Success), VkConst/VkImageConst/VkSurfaceConst values -> Silk enums, VkInstanceApi/VkDeviceApi
-> VkApi, MemoryType(i)/MemoryHeap(i) -> MemoryTypes[i]/MemoryHeaps[i]. For merging branches that began before the
switch: python3 scripts/silk-migrate.py FILE.cs ...; then build: the compiler names what is left (a cast to a Silk
enum where an int was passed, Bool32 comparisons). Type names (VkBuffer, VkFormat...) stay: they alias Silk's.
"""
import re, sys

# Old lowercase field names whose Silk name is the same with a capital first letter ...
FIELDS = """
a alignment allocationSize apiVersion applicationVersion arrayLayers aspectMask b baseArrayLayer baseMipLevel
basePipelineHandle basePipelineIndex binding bindingCount buffer bufferImageGranularity bufferImageHeight
bufferOffset bufferRowLength clipped cmdBufLabelCount codeSize colorSpace commandBufferCount commandPool
components compositeAlpha conformanceVersion constantID currentExtent currentTransform dataSize depth
description descriptorCount descriptorPool descriptorSetCount descriptorType deviceID deviceName deviceType
disabledValidationFeatureCount discreteQueuePriorities driverID driverInfo driverName driverVersion
dstAccessMask dstArrayElement dstBinding dstOffset dstQueueFamilyIndex dstSet enabledExtensionCount
enabledLayerCount enabledValidationFeatureCount engineVersion extensionName extent features flags format
framebufferColorSampleCounts framebufferDepthSampleCounts framebufferNoAttachmentsSampleCounts
framebufferStencilSampleCounts g heapIndex height image imageArrayLayers imageColorSpace imageExtent
imageFormat imageLayout imageOffset imageSharingMode imageSubresource imageType imageUsage imageView
implementationVersion initialDataSize initialLayout initialValue layerCount layerName layout level levelCount
limits lineWidthGranularity lineWidthRange mapEntryCount maxBoundDescriptorSets maxClipDistances
maxColorAttachments maxCombinedClipAndCullDistances maxComputeSharedMemorySize maxComputeWorkGroupCount
maxComputeWorkGroupInvocations maxComputeWorkGroupSize maxCullDistances maxDescriptorSetInputAttachments
maxDescriptorSetSampledImages maxDescriptorSetSamplers maxDescriptorSetStorageBuffers
maxDescriptorSetStorageBuffersDynamic maxDescriptorSetStorageImages maxDescriptorSetUniformBuffers
maxDescriptorSetUniformBuffersDynamic maxDrawIndexedIndexValue maxDrawIndirectCount
maxFragmentCombinedOutputResources maxFragmentDualSrcAttachments maxFragmentInputComponents
maxFragmentOutputAttachments maxFramebufferHeight maxFramebufferLayers maxFramebufferWidth
maxGeometryInputComponents maxGeometryOutputComponents maxGeometryOutputVertices maxGeometryShaderInvocations
maxGeometryTotalOutputComponents maxImageArrayLayers maxImageCount maxImageDimension1D maxImageDimension2D
maxImageDimension3D maxImageDimensionCube maxImageExtent maxInterpolationOffset maxMemoryAllocationCount
maxPerStageDescriptorInputAttachments maxPerStageDescriptorSampledImages maxPerStageDescriptorSamplers
maxPerStageDescriptorStorageBuffers maxPerStageDescriptorStorageImages maxPerStageDescriptorUniformBuffers
maxPerStageResources maxPushConstantsSize maxSampleMaskWords maxSamplerAllocationCount maxSamplerAnisotropy
maxSamplerLodBias maxSets maxStorageBufferRange maxTessellationControlPerPatchOutputComponents
maxTessellationControlPerVertexInputComponents maxTessellationControlPerVertexOutputComponents
maxTessellationControlTotalOutputComponents maxTessellationEvaluationInputComponents
maxTessellationEvaluationOutputComponents maxTessellationGenerationLevel maxTessellationPatchSize
maxTexelBufferElements maxTexelGatherOffset maxTexelOffset maxUniformBufferRange maxVertexInputAttributeOffset
maxVertexInputAttributes maxVertexInputBindingStride maxVertexInputBindings maxVertexOutputComponents
maxViewportDimensions maxViewports memory memoryHeapCount memoryHeaps memoryTypeBits memoryTypeCount
memoryTypeIndex memoryTypes messageIdNumber messageSeverity messageType minImageCount minImageExtent
minInterpolationOffset minMemoryMapAlignment minStorageBufferOffsetAlignment minTexelBufferOffsetAlignment
minTexelGatherOffset minTexelOffset minUniformBufferOffsetAlignment mipLevel mipLevels mipmapPrecisionBits
module newLayout nonCoherentAtomSize objectCount objectHandle objectType offset oldLayout oldSwapchain
optimalBufferCopyOffsetAlignment pApplicationInfo pApplicationName pBindings pBufferInfo pCmdBufLabels pCode
pCommandBuffers pData pDisabledValidationFeatures pEnabledFeatures pEnabledValidationFeatures pEngineName
pImageIndices pImageInfo pImmutableSamplers pInheritanceInfo pInitialData pMapEntries pMessage pMessageIdName
pName pNext pObjectName pObjects pPoolSizes pPushConstantRanges pQueueCreateInfos pQueueFamilyIndices
pQueueLabels pQueuePriorities pResults pSemaphores pSetLayouts pSignalSemaphoreValues pSignalSemaphores
pSpecializationInfo pSwapchains pTexelBufferView pUserData pValues pWaitDstStageMask pWaitSemaphoreValues
pWaitSemaphores pfnUserCallback pipelineStatistics pointSizeGranularity pointSizeRange poolSizeCount
ppEnabledExtensionNames ppEnabledLayerNames preTransform presentMode properties propertyFlags
pushConstantRangeCount quadOperationsInAllStages queryCount queryType queueCount queueCreateInfoCount
queueFamilyIndex queueFamilyIndexCount queueFlags queueLabelCount r range residencyAlignedMipSize
residencyNonResidentStrict residencyStandard2DBlockShape residencyStandard2DMultisampleBlockShape
residencyStandard3DBlockShape sType sampledImageColorSampleCounts sampledImageDepthSampleCounts
sampledImageIntegerSampleCounts sampledImageStencilSampleCounts sampler samples semaphore semaphoreCount
semaphoreType setLayoutCount shaderFloat16 shaderInt8 sharingMode signalSemaphoreCount
signalSemaphoreValueCount size sparseAddressSpaceSize sparseProperties specVersion srcAccessMask srcOffset
srcQueueFamilyIndex stage stageFlags standardSampleLocations storageImageSampleCounts strictLines
subPixelInterpolationOffsetBits subPixelPrecisionBits subTexelPrecisionBits subgroupSize subresourceRange
supportedCompositeAlpha supportedOperations supportedStages supportedTransforms supportedUsageFlags surface
swapchainCount tiling timelineSemaphore timestampComputeAndGraphics timestampPeriod timestampValidBits type
usage value vendorID viewType viewportBoundsRange viewportSubPixelBits waitSemaphoreCount
waitSemaphoreValueCount width x y z
""".split()
fmap = {f: f[0].upper() + f[1:] for f in FIELDS}
# ... and the two Silk spells differently.
fmap.update({"optimalBufferCopyRowPitch": "OptimalBufferCopyRowPitchAlignment", "pipelineCacheUUID": "PipelineCacheUuid"})
enum_bit = ['VkBufferUsage','VkMemoryProperty','VkMemoryHeapFlags','VkQueueFlags','VkPipelineStage','VkAccess','VkImageUsage']
const = {
 'VkConst.ShaderStageCompute':'VkShaderStageFlags.ComputeBit',
 'VkConst.PipelineBindPointCompute':'VkPipelineBindPoint.Compute',
 'VkConst.QueryTypeTimestamp':'VkQueryType.Timestamp',
 'VkConst.QueryResult64':'VkQueryResultFlags.Result64Bit',
 'VkConst.QueryResultWait':'VkQueryResultFlags.ResultWaitBit',
 'VkConst.CommandPoolResetCommandBuffer':'VkCommandPoolCreateFlags.ResetCommandBufferBit',
 'VkConst.CommandBufferUsageOneTimeSubmit':'VkCommandBufferUsageFlags.OneTimeSubmitBit',
 'VkConst.CommandBufferUsageSimultaneousUse':'VkCommandBufferUsageFlags.SimultaneousUseBit',
 'VkConst.DescriptorPoolFreeDescriptorSet':'VkDescriptorPoolCreateFlags.FreeDescriptorSetBit',
 'VkConst.CommandBufferLevelPrimary':'VkCommandBufferLevel.Primary',
 'VkConst.SharingModeExclusive':'VkSharingMode.Exclusive',
 'VkConst.FenceCreateSignaled':'VkFenceCreateFlags.SignaledBit',
 'VkConst.SemaphoreTypeTimeline':'VkSemaphoreType.Timeline',
 'VkConst.QueueFamilyIgnored':'VkApi.QueueFamilyIgnored',
 'VkConst.WholeSize':'VkApi.WholeSize',
 'VkConst.ValidationFeatureEnableSynchronization':'VkValidationFeatureEnableEXT.SynchronizationValidationExt',
 'VkConst.DebugSeverityVerbose':'VkDebugUtilsMessageSeverityFlagsEXT.VerboseBitExt',
 'VkConst.DebugSeverityInfo':'VkDebugUtilsMessageSeverityFlagsEXT.InfoBitExt',
 'VkConst.DebugSeverityWarning':'VkDebugUtilsMessageSeverityFlagsEXT.WarningBitExt',
 'VkConst.DebugSeverityError':'VkDebugUtilsMessageSeverityFlagsEXT.ErrorBitExt',
 'VkConst.DebugTypeGeneral':'VkDebugUtilsMessageTypeFlagsEXT.GeneralBitExt',
 'VkConst.DebugTypeValidation':'VkDebugUtilsMessageTypeFlagsEXT.ValidationBitExt',
 'VkConst.DebugTypePerformance':'VkDebugUtilsMessageTypeFlagsEXT.PerformanceBitExt',
 'VkImageConst.AspectColor':'VkImageAspectFlags.ColorBit',
 'VkSurfaceConst.CompositeAlphaOpaque':'VkCompositeAlphaFlagsKHR.OpaqueBitKhr',
 'VkSurfaceConst.CompositeAlphaInherit':'VkCompositeAlphaFlagsKHR.InheritBitKhr',
 'VkSurfaceConst.TransformIdentity':'VkSurfaceTransformFlagsKHR.IdentityBitKhr',
 'VkPresentModeKHR.Fifo':'VkPresentModeKHR.FifoKhr',
 'VkColorSpaceKHR.SrgbNonlinear':'VkColorSpaceKHR.ColorSpaceSrgbNonlinearKhr',
 'VkAccess.None':'VkAccess.None',
}
def result_name(m):
    parts = m.group(1).split('_')
    return 'VkResult.' + ''.join(p.capitalize() for p in parts)

def find_close(s, i):
    depth = 0
    while i < len(s):
        c = s[i]
        if c == '{': depth += 1
        elif c == '}':
            depth -= 1
            if depth == 0: return i
        elif c == '"':
            i += 1
            while i < len(s) and s[i] != '"':
                if s[i] == '\\': i += 1
                i += 1
        i += 1
    return -1

def fix_inits(s):
    out = []
    pos = 0
    for m in re.finditer(r'\bnew\s*(?:[A-Z][\w\.]*)?\s*(?:\(\s*\))?\s*\{', s):
        pass
    # iterate over all init openings; rename inside (top-level keys only are fine, nested get their own match)
    spans = []
    for m in re.finditer(r'\bnew\s*(?:[A-Z][\w\.]*)?\s*(?:\(\s*\))?\s*\{', s):
        b = m.end()-1
        e = find_close(s, b)
        if e > 0: spans.append((b, e))
    chars = list(s)
    # rename keys: identifier after '{' or ',' (with whitespace) followed by '=' not '=='
    res = s
    offs = 0
    pat = re.compile(r'(?<=[\{,\s])([a-z]\w*)(\s*)=(?!=|>)')
    def repl_region(text):
        return pat.sub(lambda mm: (fmap.get(mm.group(1), mm.group(1))) + mm.group(2) + '=', text)
    # process spans from outer to inner is messy; just apply to union of spans by marking
    mark = [False]*len(s)
    for b,e in spans:
        for k in range(b, e+1): mark[k] = True
    buf = []
    i = 0
    while i < len(s):
        if mark[i]:
            j = i
            while j < len(s) and mark[j]: j += 1
            buf.append(repl_region(s[i:j])); i = j
        else:
            buf.append(s[i]); i += 1
    return ''.join(buf)

def convert(s):
    for k,v in sorted(const.items(), key=lambda kv: -len(kv[0])):
        s = re.sub(re.escape(k)+r'\b', v, s)
    s = re.sub(r'\bVkResult\.VK_(\w+)', lambda m: 'VkResult.' + ''.join(p.capitalize() for p in m.group(1).split('_')), s)
    for e in enum_bit:
        s = re.sub(r'\b' + e + r'\.(?!None\b)([A-Z]\w*?)(?<!Bit)\b', lambda m: e + '.' + m.group(1) + 'Bit', s)
    s = re.sub(r'\bVk(Instance|Device)Api\b', 'VkApi', s)
    s = fix_inits(s)
    # member access: only names longer than one letter (".g" in "e.g." is a comment, not ComponentMapping.g)
    s = re.sub(r'(\.|->)([a-z]\w+)\b', lambda m: m.group(1) + fmap.get(m.group(2), m.group(2)), s)
    s = re.sub(r'\.MemoryType\(([^()]*(?:\([^()]*\)[^()]*)*)\)', r'.MemoryTypes[\1]', s)
    s = re.sub(r'\.MemoryHeap\(([^()]*)\)', r'.MemoryHeaps[\1]', s)
    return s

for f in sys.argv[1:]:
    t = open(f).read()
    n = convert(t)
    if n != t:
        open(f,'w').write(n)
        print("converted", f)
