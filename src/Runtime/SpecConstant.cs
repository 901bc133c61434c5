namespace VkResNet.Runtime;

/// <summary>A specialization-constant override: id and 32-bit value (ints as is, floats by their bits).</summary>
public readonly record struct SpecConstant(uint Id, uint Value)
{
    public static SpecConstant Int(uint id, int value) => new(id, unchecked((uint)value));
    public static SpecConstant Float(uint id, float value) => new(id, BitConverter.SingleToUInt32Bits(value));
    public static SpecConstant Bool(uint id, bool value) => new(id, value ? 1u : 0u);
}
