using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>
/// A descriptor set for one kernel: binding i points at resource i, as the kernel's reflected
/// binding kind says (storage buffer, a texel-buffer view this set creates and owns, or an app image's view).
/// Made once when a graph is compiled; dispose only after the GPU is done with it.
/// </summary>
public sealed unsafe class BindingSet : IDisposable
{
    readonly Device _device;
    readonly VkDescriptorPool _pool;
    readonly VkBufferView[] _views;
    bool _disposed;

    public Kernel Kernel { get; }
    public VkDescriptorSet Handle { get; }

    internal BindingSet(Device device, Kernel kernel, ReadOnlySpan<BindingResource> resources)
    {
        var bindings = kernel.Interface.Bindings;
        if (resources.Length != bindings.Count)
            throw new ArgumentException($"Kernel {kernel.Name} has {bindings.Count} bindings ({string.Join(", ", bindings.Select(b => b.Name))}); {resources.Length} resources were given.");
        _device = device;
        Kernel = kernel;
        _views = new VkBufferView[resources.Length];
        (Handle, _pool) = device.Descriptors.Allocate(kernel.SetLayout);
        try
        {
            var writes = stackalloc VkWriteDescriptorSet[resources.Length];
            var infos = stackalloc VkDescriptorBufferInfo[resources.Length];
            var views = stackalloc VkBufferView[resources.Length];
            var images = stackalloc VkDescriptorImageInfo[resources.Length];
            for (int i = 0; i < resources.Length; i++)
            {
                var b = bindings[i];
                var r = resources[i];
                writes[i] = new VkWriteDescriptorSet
                {
                    SType = VkStructureType.WriteDescriptorSet, DstSet = Handle, DstBinding = (uint)i, DescriptorCount = 1, DescriptorType = b.Type,
                };
                switch (b.Type)
                {
                    case VkDescriptorType.StorageBuffer or VkDescriptorType.UniformBuffer:
                        var s = RequireBuffer(r, b);
                        CheckAlignment(s, device.Info.MinStorageBufferOffsetAlignment, b);
                        if ((ulong)s.Size > device.Info.MaxStorageBufferRange)
                            throw new ArgumentException($"Kernel {kernel.Name} binding {b.Name}: {s} is {s.Size} bytes, over the device's storage-buffer range of {device.Info.MaxStorageBufferRange}.");
                        infos[i] = new VkDescriptorBufferInfo { Buffer = s.Buffer.Handle, Offset = (ulong)s.Offset, Range = (ulong)s.Size };
                        writes[i].PBufferInfo = &infos[i];
                        break;
                    case VkDescriptorType.UniformTexelBuffer or VkDescriptorType.StorageTexelBuffer:
                        _views[i] = CreateView(RequireBuffer(r, b), b);
                        views[i] = _views[i];
                        writes[i].PTexelBufferView = &views[i];
                        break;
                    case VkDescriptorType.SampledImage or VkDescriptorType.StorageImage:
                        var view = RequireImage(r, b);
                        images[i] = new VkDescriptorImageInfo { ImageView = view.Handle, ImageLayout = view.Layout };
                        writes[i].PImageInfo = &images[i];
                        break;
                    default:
                        throw new ArgumentException($"Kernel {kernel.Name} binding {b.Name} is a {b.Type}; VkResNet binds no samplers: declare a texture2D and read it with texelFetch (GL_EXT_samplerless_texture_functions).");
                }
            }
            device.Api.UpdateDescriptorSets(device.Handle, (uint)resources.Length, writes, 0, null);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    BufferSlice RequireBuffer(in BindingResource r, in KernelBinding b) =>
        r.IsImage || r.Buffer.Buffer is null
            ? throw new ArgumentException($"Kernel {Kernel.Name} binding {b.Name} is a {b.Type} and takes a buffer slice; {r} was given.")
            : r.Buffer;

    /// <summary>The view, once the image's stated usage, layout and format fit the binding (the checks Vulkan leaves to the validation layer).</summary>
    ImageView RequireImage(in BindingResource r, in KernelBinding b)
    {
        if (r.Image is not { } v)
            throw new ArgumentException($"Kernel {Kernel.Name} binding {b.Name} is a {b.Type} and takes an image view; {r} was given.");
        var image = v.Image;
        if (b.Type == VkDescriptorType.SampledImage && (image.Usage & VkImageUsage.SampledBit) == 0)
            throw new ArgumentException($"Kernel {Kernel.Name} binding {b.Name} reads {image} as a sampled image: it needs VK_IMAGE_USAGE_SAMPLED_BIT.");
        if (b.Type == VkDescriptorType.StorageImage)
        {
            if ((image.Usage & VkImageUsage.StorageBit) == 0)
                throw new ArgumentException($"Kernel {Kernel.Name} binding {b.Name} reads {image} as a storage image: it needs VK_IMAGE_USAGE_STORAGE_BIT.");
            if (v.Layout != VkImageLayout.General)
                throw new ArgumentException($"Kernel {Kernel.Name} binding {b.Name}: a storage image is read in GENERAL layout, not {v.Layout}.");
            if (b.TexelFormat != VkFormat.Undefined && b.TexelFormat != image.Format)
                throw new ArgumentException($"Kernel {Kernel.Name} binding {b.Name} declares {b.TexelFormat}; {image} is {image.Format}.");
        }
        return v;
    }

    void CheckAlignment(in BufferSlice s, ulong alignment, in KernelBinding b)
    {
        if ((ulong)s.Offset % alignment != 0)
            throw new ArgumentException($"Kernel {Kernel.Name} binding {b.Name}: offset {s.Offset} of {s} is not a multiple of the device's {alignment}-byte alignment.");
    }

    VkBufferView CreateView(in BufferSlice s, in KernelBinding b)
    {
        CheckAlignment(s, _device.Info.MinTexelBufferOffsetAlignment, b);
        long texel = b.TexelFormat == VkFormat.R32G32B32A32Sfloat ? 16 : 4;
        long range = s.Size / texel * texel;
        if (range == 0) throw new ArgumentException($"Kernel {Kernel.Name} binding {b.Name}: {s} is smaller than one {b.TexelFormat} texel.");
        if (range / texel > _device.Info.MaxTexelBufferElements)
            throw new ArgumentException($"Kernel {Kernel.Name} binding {b.Name}: {s} holds {range / texel} texels, over the device's {_device.Info.MaxTexelBufferElements}.");
        var info = new VkBufferViewCreateInfo
        {
            SType = VkStructureType.BufferViewCreateInfo, Buffer = s.Buffer.Handle, Format = b.TexelFormat, Offset = (ulong)s.Offset, Range = (ulong)range,
        };
        VkBufferView view;
        Vk.Check(_device.Api.CreateBufferView(_device.Handle, &info, null, &view), "vkCreateBufferView");
        return view;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var v in _views) if (!v.IsNull) _device.Api.DestroyBufferView(_device.Handle, v, null);
        if (!Handle.IsNull) _device.Descriptors.Free(Handle, _pool);
    }
}
