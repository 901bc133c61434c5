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
                SType = VkStructureType.DescriptorSetAllocateInfo, DescriptorPool = pool, DescriptorSetCount = 1, PSetLayouts = &layout,
            };
            VkDescriptorSet set;
            VkResult r = _device.Api.AllocateDescriptorSets(_device.Handle, &info, &set);
            if (r == VkResult.Success) return (set, pool);
            if (r is not (VkResult.ErrorOutOfPoolMemory or VkResult.ErrorFragmentedPool)) Vk.Check(r, "vkAllocateDescriptorSets");
        }
        throw new InvalidOperationException("A fresh descriptor pool could not hold one descriptor set.");
    }

    public void Free(VkDescriptorSet set, VkDescriptorPool pool) =>
        Vk.Check(_device.Api.FreeDescriptorSets(_device.Handle, pool, 1, &set), "vkFreeDescriptorSets");

    VkDescriptorPool CreatePool()
    {
        var sizes = stackalloc VkDescriptorPoolSize[]
        {
            new() { Type = VkDescriptorType.StorageBuffer, DescriptorCount = SetsPerPool * 8 },
            new() { Type = VkDescriptorType.UniformTexelBuffer, DescriptorCount = SetsPerPool * 4 },
            new() { Type = VkDescriptorType.StorageTexelBuffer, DescriptorCount = SetsPerPool * 4 },
            new() { Type = VkDescriptorType.UniformBuffer, DescriptorCount = SetsPerPool },
            new() { Type = VkDescriptorType.StorageImage, DescriptorCount = SetsPerPool },
            new() { Type = VkDescriptorType.SampledImage, DescriptorCount = SetsPerPool },
            new() { Type = VkDescriptorType.CombinedImageSampler, DescriptorCount = SetsPerPool },
        };
        var info = new VkDescriptorPoolCreateInfo
        {
            SType = VkStructureType.DescriptorPoolCreateInfo, Flags = VkDescriptorPoolCreateFlags.FreeDescriptorSetBit,
            MaxSets = SetsPerPool, PoolSizeCount = 7, PPoolSizes = sizes,
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
