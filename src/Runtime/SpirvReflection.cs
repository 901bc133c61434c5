using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>What a kernel binds at one binding slot of set 0.</summary>
public readonly record struct KernelBinding(uint Binding, VkDescriptorType Type, VkFormat TexelFormat, string Name);

/// <summary>A specialization constant the shader declares, with its default value's bits.</summary>
public readonly record struct SpecConstantInfo(uint Id, uint DefaultBits, bool IsFloat);

/// <summary>
/// A kernel's interface read from its SPIR-V: descriptor bindings (set 0), the push-constant
/// block size, specialization constants and the workgroup size. The GLSL is the single source
/// of truth; C# never restates binding kinds.
/// </summary>
public sealed class SpirvReflection
{
    public required IReadOnlyList<KernelBinding> Bindings { get; init; }
    public required uint PushConstantBytes { get; init; }
    public required IReadOnlyList<SpecConstantInfo> SpecConstants { get; init; }
    /// <summary>Per axis: a literal size, or the spec-constant id that sets it.</summary>
    public required (uint Size, uint? SpecId)[] WorkgroupSize { get; init; }

    /// <summary>The workgroup size once <paramref name="spec"/> overrides are applied.</summary>
    public (uint X, uint Y, uint Z) ResolveWorkgroupSize(ReadOnlySpan<SpecConstant> spec)
    {
        Span<uint> s = stackalloc uint[3];
        for (int a = 0; a < 3; a++)
        {
            s[a] = WorkgroupSize[a].Size;
            if (WorkgroupSize[a].SpecId is uint id)
                foreach (var c in spec) if (c.Id == id) s[a] = c.Value;
        }
        return (s[0], s[1], s[2]);
    }

    const uint Magic = 0x07230203;
    const int OpName = 5, OpEntryPoint = 15, OpExecutionMode = 16, OpTypeInt = 21, OpTypeFloat = 22, OpTypeVector = 23,
        OpTypeMatrix = 24, OpTypeImage = 25, OpTypeSampledImage = 27, OpTypeArray = 28, OpTypeRuntimeArray = 29,
        OpTypeStruct = 30, OpTypePointer = 32, OpConstant = 43, OpConstantComposite = 44, OpSpecConstantTrue = 48,
        OpSpecConstantFalse = 49, OpSpecConstant = 50, OpSpecConstantComposite = 51, OpVariable = 59, OpDecorate = 71,
        OpMemberDecorate = 72;
    const uint DecSpecId = 1, DecBufferBlock = 3, DecArrayStride = 6, DecBuiltIn = 11, DecBinding = 33, DecDescriptorSet = 34, DecOffset = 35;
    const uint BuiltInWorkgroupSize = 25, ExecModeLocalSize = 17;
    const uint ScUniformConstant = 0, ScUniform = 2, ScPushConstant = 9, ScStorageBuffer = 12;

    public static SpirvReflection Parse(uint[] code, string kernelName)
    {
        if (code.Length < 5 || code[0] != Magic) throw new InvalidDataException($"Kernel {kernelName}: not a SPIR-V module.");
        var names = new Dictionary<uint, string>();
        var binding = new Dictionary<uint, uint>();
        var set = new Dictionary<uint, uint>();
        var specId = new Dictionary<uint, uint>();
        var arrayStride = new Dictionary<uint, uint>();
        var memberOffset = new Dictionary<(uint, uint), uint>();
        var types = new Dictionary<uint, uint[]>();   // result id -> instruction words
        var constants = new Dictionary<uint, uint>(); // id -> value bits (first word)
        var floatConstant = new HashSet<uint>();
        var composites = new Dictionary<uint, uint[]>();
        var variables = new List<(uint Type, uint Id, uint StorageClass)>();
        var bufferBlocks = new HashSet<uint>();
        uint? workgroupBuiltin = null;
        uint[] localSize = [1, 1, 1];

        for (int i = 5; i < code.Length;)
        {
            uint word = code[i];
            int count = (int)(word >> 16), op = (int)(word & 0xFFFF);
            if (count == 0 || i + count > code.Length) throw new InvalidDataException($"Kernel {kernelName}: malformed SPIR-V at word {i}.");
            var ins = code.AsSpan(i, count);
            switch (op)
            {
                case OpName: names[ins[1]] = DecodeString(ins[2..]); break;
                case OpExecutionMode when ins[2] == ExecModeLocalSize: localSize = [ins[3], ins[4], ins[5]]; break;
                case OpDecorate:
                    switch (ins[2])
                    {
                        case DecBinding: binding[ins[1]] = ins[3]; break;
                        case DecDescriptorSet: set[ins[1]] = ins[3]; break;
                        case DecSpecId: specId[ins[1]] = ins[3]; break;
                        case DecArrayStride: arrayStride[ins[1]] = ins[3]; break;
                        case DecBufferBlock: bufferBlocks.Add(ins[1]); break;
                        case DecBuiltIn when ins[3] == BuiltInWorkgroupSize: workgroupBuiltin = ins[1]; break;
                    }
                    break;
                case OpMemberDecorate when ins[3] == DecOffset: memberOffset[(ins[1], ins[2])] = ins[4]; break;
                case OpTypeInt or OpTypeFloat or OpTypeVector or OpTypeMatrix or OpTypeImage or OpTypeSampledImage
                    or OpTypeArray or OpTypeRuntimeArray or OpTypeStruct or OpTypePointer:
                    types[ins[1]] = ins.ToArray(); break;
                case OpConstant or OpSpecConstant:
                    constants[ins[2]] = ins[3];
                    if (types.TryGetValue(ins[1], out var t) && (t[0] & 0xFFFF) == OpTypeFloat) floatConstant.Add(ins[2]);
                    break;
                case OpSpecConstantTrue: constants[ins[2]] = 1; break;
                case OpSpecConstantFalse: constants[ins[2]] = 0; break;
                case OpConstantComposite or OpSpecConstantComposite: composites[ins[2]] = ins[3..].ToArray(); break;
                case OpVariable: variables.Add((ins[1], ins[2], ins[3])); break;
            }
            i += count;
        }

        uint pushBytes = 0;
        var bindings = new List<KernelBinding>();
        foreach (var (typeId, id, sc) in variables)
        {
            if (!types.TryGetValue(typeId, out var ptr) || (ptr[0] & 0xFFFF) != OpTypePointer) continue;
            uint pointee = ptr[3];
            if (sc == ScPushConstant) { pushBytes = SizeOf(pointee); continue; }
            if (sc is not (ScUniformConstant or ScUniform or ScStorageBuffer)) continue;
            if (!binding.TryGetValue(id, out uint b)) continue;
            if (set.TryGetValue(id, out uint s) && s != 0)
                throw new InvalidDataException($"Kernel {kernelName}: binding {b} is in set {s}; VkResNet kernels use set 0 only.");
            string name = names.TryGetValue(id, out string? n) ? n : $"binding{b}";
            bindings.Add(new KernelBinding(b, DescriptorTypeOf(pointee, sc, name, out VkFormat format), format, name));
        }
        bindings.Sort((a, b) => a.Binding.CompareTo(b.Binding));
        for (int i = 0; i < bindings.Count; i++)
            if (bindings[i].Binding != i) throw new InvalidDataException($"Kernel {kernelName}: bindings must be numbered 0..n-1 without gaps (found {bindings[i].Binding} at position {i}).");

        var wg = new (uint, uint?)[3];
        for (int a = 0; a < 3; a++) wg[a] = (localSize[a], null);
        if (workgroupBuiltin is uint wgId && composites.TryGetValue(wgId, out var parts))
            for (int a = 0; a < 3; a++)
                wg[a] = (constants.GetValueOrDefault(parts[a], 1u), specId.TryGetValue(parts[a], out uint sid) ? sid : (uint?)null);

        var specs = specId.Select(kv => new SpecConstantInfo(kv.Value, constants.GetValueOrDefault(kv.Key), floatConstant.Contains(kv.Key)))
            .OrderBy(s => s.Id).ToArray();
        return new SpirvReflection { Bindings = bindings, PushConstantBytes = pushBytes, SpecConstants = specs, WorkgroupSize = wg };

        VkDescriptorType DescriptorTypeOf(uint type, uint storageClass, string name, out VkFormat format)
        {
            format = VkFormat.Undefined;
            if (storageClass == ScStorageBuffer) return VkDescriptorType.StorageBuffer;
            var t = types[type];
            int op = (int)(t[0] & 0xFFFF);
            if (storageClass == ScUniform && op == OpTypeStruct)
                // Uniform + BufferBlock (SPIR-V 1.0 style storage buffer) or a UBO; glslc for Vulkan 1.1 emits storage buffers as Uniform+BufferBlock.
                return bufferBlocks.Contains(type) ? VkDescriptorType.StorageBuffer : VkDescriptorType.UniformBuffer;
            if (op == OpTypeSampledImage)
            {
                var image = types[t[2]];
                if (image[3] == 5) // Dim Buffer
                {
                    // A samplerBuffer carries no format in SPIR-V (and -O strips names): it is always viewed as rgba32f.
                    // Scalar texel reads use a storage texel buffer, whose layout qualifier (r32f) is in the module.
                    format = VkFormat.R32G32B32A32Sfloat;
                    return VkDescriptorType.UniformTexelBuffer;
                }
                return VkDescriptorType.CombinedImageSampler;
            }
            if (op == OpTypeImage)
            {
                // Words: result, sampled type, Dim (5 = Buffer), depth, arrayed, MS, Sampled (1 = with a sampler or texelFetch, 2 = storage), format.
                format = ImageFormat(t[8]);
                bool storage = t[7] == 2;
                if (t[3] == 5) return storage ? VkDescriptorType.StorageTexelBuffer : VkDescriptorType.UniformTexelBuffer;
                return storage ? VkDescriptorType.StorageImage : VkDescriptorType.SampledImage; // texture2D: a sampled image read samplerless
            }
            throw new InvalidDataException($"Kernel {kernelName}: binding {name} has a type VkResNet does not bind (SPIR-V op {op}).");
        }

        uint SizeOf(uint typeId)
        {
            var t = types[typeId];
            switch ((int)(t[0] & 0xFFFF))
            {
                case OpTypeInt or OpTypeFloat: return t[2] / 8;
                case OpTypeVector or OpTypeMatrix: return t[3] * SizeOf(t[2]);
                case OpTypeArray: return constants[t[3]] * arrayStride.GetValueOrDefault(typeId, SizeOf(t[2]));
                case OpTypeStruct:
                    uint size = 0;
                    for (uint m = 0; m + 2 < t.Length; m++)
                        size = Math.Max(size, memberOffset.GetValueOrDefault((typeId, m)) + SizeOf(t[2 + m]));
                    return size;
                default: throw new InvalidDataException($"Kernel {kernelName}: push-constant member of unsupported type.");
            }
        }
    }

    static VkFormat ImageFormat(uint spirvFormat) => spirvFormat switch
    {
        1 => VkFormat.R32G32B32A32Sfloat,
        3 => VkFormat.R32Sfloat,
        4 => VkFormat.R8G8B8A8Unorm,
        24 => VkFormat.R32Sint,
        33 => VkFormat.R32Uint,
        _ => VkFormat.Undefined,
    };

    static string DecodeString(ReadOnlySpan<uint> words)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(words);
        int n = bytes.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(n < 0 ? bytes : bytes[..n]);
    }
}
