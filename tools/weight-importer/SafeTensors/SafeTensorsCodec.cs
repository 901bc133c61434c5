using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace VkResNet.Importer.SafeTensors;

/// <summary>
/// The importer's own small safetensors reader/writer (u64 LE header length, JSON header {name: {dtype, shape,
/// data_offsets}, __metadata__}, little-endian data). Reading validates the header bounds, dtypes, shapes, offsets
/// inside the data section, sizes and overlaps before touching data. A stand-in until src/Graph/IO lands in main.
/// </summary>
public sealed class SafeTensorsCodec : IWeightFileFormat
{
    private const long MaxHeaderBytes = 100L << 20;

    public WeightSet Read(string path) => Parse(File.ReadAllBytes(path), path);

    public static WeightSet Parse(byte[] bytes, string path)
    {
        if (bytes.Length < 8) throw Error(path, $"file is {bytes.Length} bytes, shorter than the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8))
            throw Error(path, $"header length {headerLength} points past the end of the file ({bytes.Length} bytes); truncated or corrupt");
        if ((long)headerLength > MaxHeaderBytes) throw Error(path, $"header length {headerLength} exceeds {MaxHeaderBytes} bytes");
        long dataStart = 8 + (long)headerLength, dataLength = bytes.Length - dataStart;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(new UTF8Encoding(false, true).GetString(bytes, 8, (int)headerLength)); }
        catch (Exception e) when (e is JsonException or DecoderFallbackException) { throw Error(path, $"header is not valid UTF-8 JSON ({e.Message})"); }

        var entries = new List<(string Name, string DType, long[] Shape, long Begin, long End)>();
        var weights = new WeightSet();
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Error(path, "header is not a JSON object");
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__")
                {
                    if (p.Value.ValueKind != JsonValueKind.Object) throw Error(path, "__metadata__ is not an object");
                    foreach (JsonProperty m in p.Value.EnumerateObject())
                        weights.Metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : throw Error(path, $"__metadata__ '{m.Name}' is not a string");
                    continue;
                }
                entries.Add(ParseEntry(p, dataLength, path));
            }
        }
        entries.Sort((a, b) => a.Begin.CompareTo(b.Begin));
        for (int i = 1; i < entries.Count; i++)
            if (entries[i].Begin < entries[i - 1].End)
                throw Error(path, $"tensors '{entries[i - 1].Name}' and '{entries[i].Name}' overlap in the data section");
        foreach (var e in entries)
        {
            var raw = bytes.AsSpan(checked((int)(dataStart + e.Begin)), checked((int)(e.End - e.Begin)));
            weights.Add(Decode(e.Name, e.DType, e.Shape, raw));
        }
        return weights;
    }

    private static (string, string, long[], long, long) ParseEntry(JsonProperty p, long dataLength, string path)
    {
        string where = $"tensor '{p.Name}'";
        JsonElement e = p.Value;
        if (e.ValueKind != JsonValueKind.Object) throw Error(path, $"{where} is not a JSON object");
        string dtype = e.TryGetProperty("dtype", out var dt) && dt.ValueKind == JsonValueKind.String ? dt.GetString()! : throw Error(path, $"{where} has no dtype");
        int size = ElementSize(dtype) ?? throw Error(path, $"{where} has dtype {dtype}; supported: F32, F16, BF16, F64, I64, I32");
        if (!e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array) throw Error(path, $"{where} has no shape array");
        var shape = sh.EnumerateArray().Select(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out long v) && v >= 0 ? v
            : throw Error(path, $"{where} has a shape entry {d} that is not a non-negative integer")).ToArray();
        if (!e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Error(path, $"{where} has no data_offsets [begin, end]");
        long Offset(JsonElement x) => x.ValueKind == JsonValueKind.Number && x.TryGetInt64(out long v) && v >= 0 ? v : throw Error(path, $"{where} has a data offset {x} that is not a non-negative integer");
        long begin = Offset(off[0]), end = Offset(off[1]);
        if (begin > end || end > dataLength)
            throw Error(path, $"{where} data_offsets [{begin}, {end}] point outside the {dataLength}-byte data section");
        long elements;
        try { elements = WeightTensor.ShapeElements(shape); }
        catch (OverflowException) { throw Error(path, $"{where} shape is too large"); }
        if (elements > int.MaxValue || elements * size != end - begin)
            throw Error(path, $"{where} of shape {WeightTensor.FormatShape(shape)} and dtype {dtype} needs {elements * size} bytes but data_offsets [{begin}, {end}] hold {end - begin}");
        return (p.Name, dtype, shape, begin, end);
    }

    private static int? ElementSize(string dtype) => dtype switch
    {
        "F32" or "I32" => 4,
        "F16" or "BF16" => 2,
        "F64" or "I64" => 8,
        _ => null,
    };

    private static WeightTensor Decode(string name, string dtype, long[] shape, ReadOnlySpan<byte> raw)
    {
        int n = (int)WeightTensor.ShapeElements(shape);
        var data = new float[n];
        SourceDType source;
        switch (dtype)
        {
            case "F32": MemoryMarshal.Cast<byte, float>(raw).CopyTo(data); source = SourceDType.F32; break;
            case "F16": { var h = MemoryMarshal.Cast<byte, Half>(raw); for (int i = 0; i < n; i++) data[i] = (float)h[i]; source = SourceDType.F16; break; }
            case "BF16": { var b = MemoryMarshal.Cast<byte, ushort>(raw); for (int i = 0; i < n; i++) data[i] = BitConverter.Int32BitsToSingle(b[i] << 16); source = SourceDType.BF16; break; }
            case "F64": { var d = MemoryMarshal.Cast<byte, double>(raw); for (int i = 0; i < n; i++) data[i] = (float)d[i]; source = SourceDType.F64; break; }
            case "I64": { var l = MemoryMarshal.Cast<byte, long>(raw); for (int i = 0; i < n; i++) data[i] = l[i]; source = SourceDType.I64; break; }
            default: { var v = MemoryMarshal.Cast<byte, int>(raw); for (int i = 0; i < n; i++) data[i] = v[i]; source = SourceDType.I32; break; }
        }
        return new WeightTensor(name, shape, data, source);
    }

    public void Write(string path, WeightSet weights)
    {
        byte[] header = BuildHeader(weights);
        AtomicFile.Write(path, s =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
            s.Write(len);
            s.Write(header);
            foreach (var t in weights.Tensors) s.Write(MemoryMarshal.AsBytes(t.Data.AsSpan()));
        });
    }

    private static byte[] BuildHeader(WeightSet weights)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            if (weights.Metadata.Count > 0)
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in weights.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in weights.Tensors)
            {
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", "F32");
                w.WriteStartArray("shape");
                foreach (long d in t.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + 4L * t.Data.Length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += 4L * t.Data.Length;
            }
            w.WriteEndObject();
        }
        while (ms.Length % 8 != 0) ms.WriteByte((byte)' ');  // keeps the data section 8-byte aligned
        return ms.ToArray();
    }

    private static ImportException Error(string path, string problem) => new($"{path}: {problem}");
}
