using System.Buffers.Binary;
using System.Text.Json;

namespace VkResNet.Graph.IO;

/// <summary>
/// Writes safetensors files atomically (temp file in the same folder, then rename). Tensors are laid out
/// contiguously in the order given; the JSON header is padded with spaces to a multiple of 8 bytes so the
/// data section stays aligned, as the reference implementation does.
/// </summary>
public static class SafeTensorsWriter
{
    public static void Write(string path, IReadOnlyList<SafeTensorEntry> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors writing assumes a little-endian host");
        byte[] header = BuildHeader(tensors, metadata, path);
        try
        {
            AtomicFile.Write(path, s =>
            {
                Span<byte> len = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
                s.Write(len);
                s.Write(header);
                foreach (SafeTensorEntry t in tensors) s.Write(t.Data.Span);
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WeightFileException.For(path, $"cannot write file ({e.Message})");
        }
    }

    private static byte[] BuildHeader(IReadOnlyList<SafeTensorEntry> tensors, IReadOnlyDictionary<string, string>? metadata, string path)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                w.WriteEndObject();
            }
            var names = new HashSet<string>(StringComparer.Ordinal);
            long offset = 0;
            foreach (SafeTensorEntry t in tensors)
            {
                if (string.IsNullOrEmpty(t.Name) || t.Name == "__metadata__") throw WeightFileException.For(path, $"invalid tensor name '{t.Name}'");
                if (!names.Add(t.Name)) throw WeightFileException.For(path, $"tensor '{t.Name}' is given twice");
                long elements = 1;
                foreach (long d in t.Shape)
                {
                    if (d < 0) throw WeightFileException.For(path, $"tensor '{t.Name}' has a negative dimension");
                    elements *= d;
                }
                if (elements * t.DType.Size() != t.Data.Length)
                    throw WeightFileException.For(path, $"tensor '{t.Name}' of shape [{string.Join(", ", t.Shape)}] and dtype {t.DType} needs {elements * t.DType.Size()} bytes, got {t.Data.Length}");
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", t.DType.Name());
                w.WriteStartArray("shape");
                foreach (long d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + t.Data.Length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += t.Data.Length;
            }
            w.WriteEndObject();
        }
        int padded = (int)((ms.Length + 7) / 8 * 8);
        while (ms.Length < padded) ms.WriteByte((byte)' ');
        return ms.ToArray();
    }
}
