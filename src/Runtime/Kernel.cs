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
            if (!Interface.SpecConstants.Any(s => s.Id == c.Id))
                throw new ArgumentException($"Kernel {name} has no specialization constant {c.Id}.");

        var api = device.Api;
        var dev = device.Handle;
        int n = Interface.Bindings.Count;
        var layoutBindings = stackalloc VkDescriptorSetLayoutBinding[Math.Max(n, 1)];
        for (int i = 0; i < n; i++)
            layoutBindings[i] = new VkDescriptorSetLayoutBinding
            {
                binding = (uint)i, descriptorType = Interface.Bindings[i].Type, descriptorCount = 1, stageFlags = VkConst.ShaderStageCompute,
            };
        var setInfo = new VkDescriptorSetLayoutCreateInfo { sType = VkStructureType.DescriptorSetLayoutCreateInfo, bindingCount = (uint)n, pBindings = layoutBindings };
        VkDescriptorSetLayout setLayout;
        Vk.Check(api.CreateDescriptorSetLayout(dev, &setInfo, null, &setLayout), "vkCreateDescriptorSetLayout");
        SetLayout = setLayout;

        var range = new VkPushConstantRange { stageFlags = VkConst.ShaderStageCompute, offset = 0, size = Interface.PushConstantBytes };
        var layoutInfo = new VkPipelineLayoutCreateInfo
        {
            sType = VkStructureType.PipelineLayoutCreateInfo, setLayoutCount = 1, pSetLayouts = &setLayout,
            pushConstantRangeCount = Interface.PushConstantBytes > 0 ? 1u : 0u, pPushConstantRanges = &range,
        };
        VkPipelineLayout layout;
        Vk.Check(api.CreatePipelineLayout(dev, &layoutInfo, null, &layout), "vkCreatePipelineLayout");
        Layout = layout;

        VkShaderModule module;
        fixed (uint* code = spirv)
        {
            var moduleInfo = new VkShaderModuleCreateInfo { sType = VkStructureType.ShaderModuleCreateInfo, codeSize = (nuint)(spirv.Length * 4), pCode = code };
            Vk.Check(api.CreateShaderModule(dev, &moduleInfo, null, &module), "vkCreateShaderModule");
        }
        try
        {
            var entries = stackalloc VkSpecializationMapEntry[Math.Max(spec.Length, 1)];
            var data = stackalloc uint[Math.Max(spec.Length, 1)];
            for (int i = 0; i < spec.Length; i++)
            {
                entries[i] = new VkSpecializationMapEntry { constantID = spec[i].Id, offset = (uint)(i * 4), size = 4 };
                data[i] = spec[i].Value;
            }
            var specInfo = new VkSpecializationInfo { mapEntryCount = (uint)spec.Length, pMapEntries = entries, dataSize = (nuint)(spec.Length * 4), pData = data };
            byte* main = stackalloc byte[] { (byte)'m', (byte)'a', (byte)'i', (byte)'n', 0 };
            var pipelineInfo = new VkComputePipelineCreateInfo
            {
                sType = VkStructureType.ComputePipelineCreateInfo,
                stage = new VkPipelineShaderStageCreateInfo
                {
                    sType = VkStructureType.PipelineShaderStageCreateInfo, stage = VkConst.ShaderStageCompute, module = module,
                    pName = main, pSpecializationInfo = spec.Length > 0 ? &specInfo : null,
                },
                layout = layout,
                basePipelineIndex = -1,
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

    public override string ToString() => $"{Name} {WorkgroupSize}";

    public void Dispose()
    {
        _device.Api.DestroyPipeline(_device.Handle, Pipeline, null);
        _device.Api.DestroyPipelineLayout(_device.Handle, Layout, null);
        _device.Api.DestroyDescriptorSetLayout(_device.Handle, SetLayout, null);
    }
}
