using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace VkResNet.Graph.IO;

/// <summary>
/// The checksum a VkResNet checkpoint stores in its metadata ("checksum" = "sha256:HEX"): SHA-256 over every tensor
/// (in name order: name, dtype, shape, then its bytes) and every other metadata entry (in key order), each field
/// length-prefixed. A flipped byte anywhere in the tensor data, a shape, a name or a metadata value changes it.
/// </summary>
public static class CheckpointChecksum
{
    public const string Key = "checksum";
    const string Prefix = "sha256:";

    public static string Compute(IEnumerable<(string Name, TensorDType DType, long[] Shape, ReadOnlyMemory<byte> Data)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var word = new byte[8];
        void Long(long v) { BinaryPrimitives.WriteInt64LittleEndian(word, v); h.AppendData(word); }
        void Text(string s) { var b = Encoding.UTF8.GetBytes(s); Long(b.Length); h.AppendData(b); }
        foreach (var t in tensors.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            Text(t.Name);
            Text(t.DType.ToString());
            Long(t.Shape.Length);
            foreach (long d in t.Shape) Long(d);
            Long(t.Data.Length);
            h.AppendData(t.Data.Span);
        }
        foreach (var (k, v) in metadata.Where(kv => kv.Key != Key).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            Text(k);
            Text(v);
        }
        return Prefix + Convert.ToHexStringLower(h.GetHashAndReset());
    }
}
