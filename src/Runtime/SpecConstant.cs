namespace VkResNet.Runtime;

/// <summary>A specialization-constant override: id and 32-bit value (ints as is, floats by their bits).</summary>
public readonly record struct SpecConstant(uint Id, uint Value)
{
    /// <summary>
    /// The id of the pipeline's subgroup-size request, passed beside a kernel's constants when it is written for one subgroup
    /// size: a non-zero value asks <see cref="Kernel"/> to require that size of the pipeline where the device allows it
    /// (<see cref="DeviceInfo.CanRequireSubgroupSize"/>); elsewhere the driver picks, and the kernel must stay correct at any
    /// size. A shader need not declare it (a shader that does, `layout(constant_id = 15) const uint SUBGROUP_SIZE`, sees the value).
    /// </summary>
    public const uint SubgroupSizeId = 15;

    public static SpecConstant Int(uint id, int value) => new(id, unchecked((uint)value));
    public static SpecConstant Float(uint id, float value) => new(id, BitConverter.SingleToUInt32Bits(value));
    public static SpecConstant Bool(uint id, bool value) => new(id, value ? 1u : 0u);
}
