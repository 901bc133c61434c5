using System.Runtime.InteropServices;

namespace VkResNet.Graph.IO;

/// <summary>A tensor to write: name, dtype, shape and its little-endian bytes.</summary>
public sealed record SafeTensorEntry(string Name, TensorDType DType, long[] Shape, ReadOnlyMemory<byte> Data)
{
    public static SafeTensorEntry Float32(string name, ReadOnlySpan<long> shape, ReadOnlySpan<float> data) =>
        new(name, TensorDType.F32, shape.ToArray(), MemoryMarshal.AsBytes(data).ToArray());

    public static SafeTensorEntry Float16(string name, ReadOnlySpan<long> shape, ReadOnlySpan<Half> data) =>
        new(name, TensorDType.F16, shape.ToArray(), MemoryMarshal.AsBytes(data).ToArray());

    public static SafeTensorEntry Int32(string name, ReadOnlySpan<long> shape, ReadOnlySpan<int> data) =>
        new(name, TensorDType.I32, shape.ToArray(), MemoryMarshal.AsBytes(data).ToArray());

    public static SafeTensorEntry Int64(string name, ReadOnlySpan<long> shape, ReadOnlySpan<long> data) =>
        new(name, TensorDType.I64, shape.ToArray(), MemoryMarshal.AsBytes(data).ToArray());
}
