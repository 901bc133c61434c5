using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>
/// Hands out descriptor sets from a growing list of pools, each with room for every binding kind
/// VkResNet uses. Sets are freed individually when their <see cref="BindingSet"/> is disposed.
/// </summary>
internal sealed unsafe class DescriptorAllocator : IDisposable
{
    const uint SetsPerPool = 512;
    readonly Device _device;
    readonly List<VkDescriptorPool> _pools = [];

    public DescriptorAllocator(Device device) => _device = device;

    public (VkDescriptorSet Set, VkDescriptorPool Pool) Allocate(VkDescriptorSetLayout layout)
    {
        for (int attempt = 0; attempt < 2; attempt++)
        {
            if (_pools.Count == 0 || attempt == 1) _pools.Add(CreatePool());
            VkDescriptorPool pool = _pools[^1];
            var info = new VkDescriptorSetAllocateInfo
            {
                sType = VkStructureType.DescriptorSetAllocateInfo, descriptorPool = pool, descriptorSetCount = 1, pSetLayouts = &layout,
            };
            VkDescriptorSet set;
            VkResult r = _device.Api.AllocateDescriptorSets(_device.Handle, &info, &set);
            if (r == VkResult.VK_SUCCESS) return (set, pool);
            if (r is not (VkResult.VK_ERROR_OUT_OF_POOL_MEMORY or VkResult.VK_ERROR_FRAGMENTED_POOL)) Vk.Check(r, "vkAllocateDescriptorSets");
        }
        throw new InvalidOperationException("A fresh descriptor pool could not hold one descriptor set.");
    }

    public void Free(VkDescriptorSet set, VkDescriptorPool pool) =>
        Vk.Check(_device.Api.FreeDescriptorSets(_device.Handle, pool, 1, &set), "vkFreeDescriptorSets");

    VkDescriptorPool CreatePool()
    {
        var sizes = stackalloc VkDescriptorPoolSize[]
        {
            new() { type = VkDescriptorType.StorageBuffer, descriptorCount = SetsPerPool * 8 },
            new() { type = VkDescriptorType.UniformTexelBuffer, descriptorCount = SetsPerPool * 4 },
            new() { type = VkDescriptorType.StorageTexelBuffer, descriptorCount = SetsPerPool * 4 },
            new() { type = VkDescriptorType.UniformBuffer, descriptorCount = SetsPerPool },
            new() { type = VkDescriptorType.StorageImage, descriptorCount = SetsPerPool },
            new() { type = VkDescriptorType.SampledImage, descriptorCount = SetsPerPool },
            new() { type = VkDescriptorType.CombinedImageSampler, descriptorCount = SetsPerPool },
        };
        var info = new VkDescriptorPoolCreateInfo
        {
            sType = VkStructureType.DescriptorPoolCreateInfo, flags = VkConst.DescriptorPoolFreeDescriptorSet,
            maxSets = SetsPerPool, poolSizeCount = 7, pPoolSizes = sizes,
        };
        VkDescriptorPool pool;
        Vk.Check(_device.Api.CreateDescriptorPool(_device.Handle, &info, null, &pool), "vkCreateDescriptorPool");
        return pool;
    }

    public void Dispose()
    {
        foreach (var p in _pools) _device.Api.DestroyDescriptorPool(_device.Handle, p, null);
        _pools.Clear();
    }
}
