using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>
/// A compute pipeline with its descriptor-set layout and pipeline layout, for one kernel and one
/// set of specialization constants. Owned by the device's <see cref="KernelCache"/>.
/// </summary>
public sealed unsafe class Kernel : IDisposable
{
    readonly Device _device;

    public string Name { get; }
    public SpirvReflection Interface { get; }
    public VkPipeline Pipeline { get; }
    public VkPipelineLayout Layout { get; }
    public VkDescriptorSetLayout SetLayout { get; }
    public (uint X, uint Y, uint Z) WorkgroupSize { get; }
    /// <summary>The subgroup size the pipeline was created to require (null: the driver's choice; see <see cref="SpecConstant.SubgroupSizeId"/>).</summary>
    public uint? RequiredSubgroupSize { get; }

    internal Kernel(Device device, string name, uint[] spirv, ReadOnlySpan<SpecConstant> spec, VkPipelineCache cache)
    {
        _device = device;
        Name = name;
        Interface = SpirvReflection.Parse(spirv, name);
        WorkgroupSize = Interface.ResolveWorkgroupSize(spec);
        if (Interface.PushConstantBytes > device.Info.MaxPushConstantBytes)
            throw new InvalidOperationException($"Kernel {name}: {Interface.PushConstantBytes} bytes of push constants exceed the device's {device.Info.MaxPushConstantBytes}.");
        uint invocations = WorkgroupSize.X * WorkgroupSize.Y * WorkgroupSize.Z;
        if (invocations > device.Info.MaxWorkgroupInvocations)
            throw new InvalidOperationException($"Kernel {name}: workgroup {WorkgroupSize} has {invocations} invocations; {device.Info.Name} allows {device.Info.MaxWorkgroupInvocations}.");
        foreach (var c in spec)
            if (c.Id != SpecConstant.SubgroupSizeId && !Interface.SpecConstants.Any(s => s.Id == c.Id))
                throw new ArgumentException($"Kernel {name} has no specialization constant {c.Id}.");
        RequiredSubgroupSize = SubgroupRequest(device, spec, invocations);

        var api = device.Api;
        var dev = device.Handle;
        int n = Interface.Bindings.Count;
        var layoutBindings = stackalloc VkDescriptorSetLayoutBinding[Math.Max(n, 1)];
        for (int i = 0; i < n; i++)
            layoutBindings[i] = new VkDescriptorSetLayoutBinding
            {
                Binding = (uint)i, DescriptorType = Interface.Bindings[i].Type, DescriptorCount = 1, StageFlags = VkShaderStageFlags.ComputeBit,
            };
        var setInfo = new VkDescriptorSetLayoutCreateInfo { SType = VkStructureType.DescriptorSetLayoutCreateInfo, BindingCount = (uint)n, PBindings = layoutBindings };
        VkDescriptorSetLayout setLayout;
        Vk.Check(api.CreateDescriptorSetLayout(dev, &setInfo, null, &setLayout), "vkCreateDescriptorSetLayout");
        SetLayout = setLayout;

        var range = new VkPushConstantRange { StageFlags = VkShaderStageFlags.ComputeBit, Offset = 0, Size = Interface.PushConstantBytes };
        var layoutInfo = new VkPipelineLayoutCreateInfo
        {
            SType = VkStructureType.PipelineLayoutCreateInfo, SetLayoutCount = 1, PSetLayouts = &setLayout,
            PushConstantRangeCount = Interface.PushConstantBytes > 0 ? 1u : 0u, PPushConstantRanges = &range,
        };
        VkPipelineLayout layout;
        Vk.Check(api.CreatePipelineLayout(dev, &layoutInfo, null, &layout), "vkCreatePipelineLayout");
        Layout = layout;

        VkShaderModule module;
        fixed (uint* code = spirv)
        {
            var moduleInfo = new VkShaderModuleCreateInfo { SType = VkStructureType.ShaderModuleCreateInfo, CodeSize = (nuint)(spirv.Length * 4), PCode = code };
            Vk.Check(api.CreateShaderModule(dev, &moduleInfo, null, &module), "vkCreateShaderModule");
        }
        try
        {
            var entries = stackalloc VkSpecializationMapEntry[Math.Max(spec.Length, 1)];
            var data = stackalloc uint[Math.Max(spec.Length, 1)];
            for (int i = 0; i < spec.Length; i++)
            {
                entries[i] = new VkSpecializationMapEntry { ConstantID = spec[i].Id, Offset = (uint)(i * 4), Size = 4 };
                data[i] = spec[i].Value;
            }
            var specInfo = new VkSpecializationInfo { MapEntryCount = (uint)spec.Length, PMapEntries = entries, DataSize = (nuint)(spec.Length * 4), PData = data };
            byte* main = stackalloc byte[] { (byte)'m', (byte)'a', (byte)'i', (byte)'n', 0 };
            var required = new VkPipelineShaderStageRequiredSubgroupSizeCreateInfo
            {
                SType = VkStructureType.PipelineShaderStageRequiredSubgroupSizeCreateInfo, RequiredSubgroupSize = RequiredSubgroupSize ?? 0,
            };
            var pipelineInfo = new VkComputePipelineCreateInfo
            {
                SType = VkStructureType.ComputePipelineCreateInfo,
                Stage = new VkPipelineShaderStageCreateInfo
                {
                    SType = VkStructureType.PipelineShaderStageCreateInfo, Stage = VkShaderStageFlags.ComputeBit, Module = module,
                    PName = main, PSpecializationInfo = spec.Length > 0 ? &specInfo : null,
                    PNext = RequiredSubgroupSize is null ? null : &required,
                },
                Layout = layout,
                BasePipelineIndex = -1,
            };
            VkPipeline pipeline;
            Vk.Check(api.CreateComputePipelines(dev, cache, 1, &pipelineInfo, null, &pipeline), $"vkCreateComputePipelines({name})");
            Pipeline = pipeline;
        }
        finally
        {
            api.DestroyShaderModule(dev, module, null);
        }
    }

    // The size a kernel asks for through SpecConstant.SubgroupSizeId, where this VkDevice may require it of this workgroup.
    static uint? SubgroupRequest(Device device, ReadOnlySpan<SpecConstant> spec, uint invocations)
    {
        foreach (var c in spec)
            if (c.Id == SpecConstant.SubgroupSizeId && c.Value != 0)
                return device.SubgroupSizeControl && device.Info.CanRequireSubgroupSize(c.Value, invocations) ? c.Value : null;
        return null;
    }

    public override string ToString() => $"{Name} {WorkgroupSize}";

    public void Dispose()
    {
        _device.Api.DestroyPipeline(_device.Handle, Pipeline, null);
        _device.Api.DestroyPipelineLayout(_device.Handle, Layout, null);
        _device.Api.DestroyDescriptorSetLayout(_device.Handle, SetLayout, null);
    }
}
