using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>
/// A descriptor set for one kernel: binding i points at slice i, as the kernel's reflected
/// binding kind says (storage buffer, or a texel-buffer view this set creates and owns).
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

    internal BindingSet(Device device, Kernel kernel, ReadOnlySpan<BufferSlice> slices)
    {
        var bindings = kernel.Interface.Bindings;
        if (slices.Length != bindings.Count)
            throw new ArgumentException($"Kernel {kernel.Name} has {bindings.Count} bindings ({string.Join(", ", bindings.Select(b => b.Name))}); {slices.Length} slices were given.");
        _device = device;
        Kernel = kernel;
        _views = new VkBufferView[slices.Length];
        (Handle, _pool) = device.Descriptors.Allocate(kernel.SetLayout);
        try
        {
            var writes = stackalloc VkWriteDescriptorSet[slices.Length];
            var infos = stackalloc VkDescriptorBufferInfo[slices.Length];
            var views = stackalloc VkBufferView[slices.Length];
            for (int i = 0; i < slices.Length; i++)
            {
                var b = bindings[i];
                var s = slices[i];
                writes[i] = new VkWriteDescriptorSet
                {
                    sType = VkStructureType.WriteDescriptorSet, dstSet = Handle, dstBinding = (uint)i, descriptorCount = 1, descriptorType = b.Type,
                };
                switch (b.Type)
                {
                    case VkDescriptorType.StorageBuffer or VkDescriptorType.UniformBuffer:
                        CheckAlignment(s, device.Info.MinStorageBufferOffsetAlignment, b);
                        if ((ulong)s.Size > device.Info.MaxStorageBufferRange)
                            throw new ArgumentException($"Kernel {kernel.Name} binding {b.Name}: {s} is {s.Size} bytes, over the device's storage-buffer range of {device.Info.MaxStorageBufferRange}.");
                        infos[i] = new VkDescriptorBufferInfo { buffer = s.Buffer.Handle, offset = (ulong)s.Offset, range = (ulong)s.Size };
                        writes[i].pBufferInfo = &infos[i];
                        break;
                    case VkDescriptorType.UniformTexelBuffer or VkDescriptorType.StorageTexelBuffer:
                        _views[i] = CreateView(s, b);
                        views[i] = _views[i];
                        writes[i].pTexelBufferView = &views[i];
                        break;
                    default:
                        throw new ArgumentException($"Kernel {kernel.Name} binding {b.Name} is a {b.Type}; bind images through the viewer's image bindings.");
                }
            }
            device.Api.UpdateDescriptorSets(device.Handle, (uint)slices.Length, writes, 0, null);
        }
        catch
        {
            Dispose();
            throw;
        }
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
            sType = VkStructureType.BufferViewCreateInfo, buffer = s.Buffer.Handle, format = b.TexelFormat, offset = (ulong)s.Offset, range = (ulong)range,
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
