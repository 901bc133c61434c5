using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace VkResNet.Graph.IO;

/// <summary>
/// A parsed safetensors file (Hugging Face format): u64 little-endian header length N, N bytes of UTF-8 JSON
/// {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}}, then the
/// little-endian data section. Everything is validated on load: header within the file, well-formed JSON,
/// known dtypes, offsets inside the data, no overlaps or gaps, no name (tensor or metadata key) twice, and shape x dtype size == byte length.
/// </summary>
public sealed class SafeTensorsFile
{
    private const long MaxHeaderBytes = 100L << 20; // the reference implementation's limit
    private readonly byte[] _bytes;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafeTensorInfo> _byName;

    private SafeTensorsFile(string path, byte[] bytes, long dataStart, List<SafeTensorInfo> tensors, Dictionary<string, string> metadata)
    {
        Path = path;
        _bytes = bytes;
        _dataStart = dataStart;
        Tensors = tensors;
        Metadata = metadata;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public string Path { get; }
    /// <summary>Tensors in data-offset order (the order the writer wrote them).</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }
    public bool Contains(string name) => _byName.ContainsKey(name);

    public SafeTensorInfo this[string name] =>
        _byName.TryGetValue(name, out var t) ? t : throw WeightFileException.For(Path, $"has no tensor named '{name}'");

    public static SafeTensorsFile Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WeightFileException($"{path}: cannot read file ({e.Message})", e);
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses safetensors bytes already in memory; <paramref name="path"/> only names them in errors.</summary>
    public static SafeTensorsFile Parse(byte[] bytes, string path)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors reading assumes a little-endian host");
        if (bytes.Length < 8) throw WeightFileException.For(path, $"file is {bytes.Length} bytes, shorter than the 8-byte header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8))
            throw WeightFileException.For(path, $"header length {headerLength} runs past the end of the file ({bytes.Length} bytes)");
        if ((long)headerLength > MaxHeaderBytes) throw WeightFileException.For(path, $"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");
        long dataStart = 8 + (long)headerLength;
        long dataLength = bytes.Length - dataStart;

        var tensors = new List<SafeTensorInfo>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument doc;
        try
        {
            string json = new UTF8Encoding(false, true).GetString(bytes, 8, (int)headerLength);
            doc = JsonDocument.Parse(json);
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException)
        {
            throw WeightFileException.For(path, $"header is not valid UTF-8 JSON ({e.Message})");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw WeightFileException.For(path, $"header is a JSON {doc.RootElement.ValueKind}, not an object");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                foreach (JsonProperty p in doc.RootElement.EnumerateObject())
                {
                    if (!seen.Add(p.Name)) throw WeightFileException.For(path, $"header names '{p.Name}' twice");
                    if (p.Name == "__metadata__") ParseMetadata(p.Value, metadata, path);
                    else tensors.Add(ParseTensor(p.Name, p.Value, dataLength, path));
                }
            }
            catch (InvalidOperationException e)  // a name or value whose \u escapes are no valid UTF-16 (a lone surrogate): found by the property tests
            {
                throw WeightFileException.For(path, $"header holds a string that is not valid text ({e.Message})");
            }
        }
        CheckCoverage(tensors, dataLength, path);
        return new SafeTensorsFile(path, bytes, dataStart, tensors, metadata);
    }

    private static void ParseMetadata(JsonElement e, Dictionary<string, string> metadata, string path)
    {
        if (e.ValueKind != JsonValueKind.Object) throw WeightFileException.For(path, "__metadata__ is not a JSON object");
        foreach (JsonProperty m in e.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String) throw WeightFileException.For(path, $"__metadata__ value '{m.Name}' is a {m.Value.ValueKind}, not a string");
            if (!metadata.TryAdd(m.Name, m.Value.GetString()!)) throw WeightFileException.For(path, $"__metadata__ names '{m.Name}' twice");
        }
    }

    private static SafeTensorInfo ParseTensor(string name, JsonElement e, long dataLength, string path)
    {
        string where = $"tensor '{name}'";
        if (e.ValueKind != JsonValueKind.Object) throw WeightFileException.For(path, $"{where} is a JSON {e.ValueKind}, not an object");
        if (!e.TryGetProperty("dtype", out var dt) || dt.ValueKind != JsonValueKind.String) throw WeightFileException.For(path, $"{where} has no string 'dtype'");
        if (!TensorDTypeInfo.TryParse(dt.GetString()!, out TensorDType dtype))
            throw WeightFileException.For(path, $"{where} has unsupported dtype '{dt.GetString()}' (supported: {TensorDTypeInfo.Supported})");
        if (!e.TryGetProperty("shape", out var sh) || sh.ValueKind != JsonValueKind.Array) throw WeightFileException.For(path, $"{where} has no 'shape' array");
        var shape = new long[sh.GetArrayLength()];
        int i = 0;
        long elements = 1;
        foreach (JsonElement d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long v) || v < 0) throw WeightFileException.For(path, $"{where} has a shape entry {d} that is not a non-negative integer");
            shape[i++] = v;
            if (v != 0 && elements > long.MaxValue / 8 / v) throw WeightFileException.For(path, $"{where} shape is too large");
            elements *= v;
        }
        if (!e.TryGetProperty("data_offsets", out var off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw WeightFileException.For(path, $"{where} has no 'data_offsets' [begin, end] pair");
        long begin = ReadOffset(off[0], where, path), end = ReadOffset(off[1], where, path);
        if (begin > end) throw WeightFileException.For(path, $"{where} data_offsets [{begin}, {end}] end before they begin");
        if (end > dataLength) throw WeightFileException.For(path, $"{where} data_offsets [{begin}, {end}] lie outside the {dataLength}-byte data section");
        var info = new SafeTensorInfo(name, dtype, shape, begin, end);
        long expected = elements * dtype.Size();
        if (expected != info.ByteLength)
            throw WeightFileException.For(path, $"{where} of shape {info.ShapeText} and dtype {dtype} needs {expected} bytes but data_offsets [{begin}, {end}] hold {info.ByteLength}");
        return info;
    }

    private static long ReadOffset(JsonElement e, string where, string path) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out long v) && v >= 0 ? v
            : throw WeightFileException.For(path, $"{where} has a data offset {e} that is not a non-negative integer");

    private static void CheckCoverage(List<SafeTensorInfo> tensors, long dataLength, string path)
    {
        tensors.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long cursor = 0;
        SafeTensorInfo? previous = null;
        foreach (SafeTensorInfo t in tensors)
        {
            if (t.Begin < cursor)
                throw WeightFileException.For(path, $"tensors '{previous!.Name}' [{previous.Begin}, {previous.End}] and '{t.Name}' [{t.Begin}, {t.End}] overlap");
            if (t.Begin > cursor) throw WeightFileException.For(path, $"data bytes [{cursor}, {t.Begin}) belong to no tensor (gap before '{t.Name}')");
            cursor = t.End;
            previous = t;
        }
        if (cursor != dataLength) throw WeightFileException.For(path, $"data bytes [{cursor}, {dataLength}) after the last tensor belong to no tensor");
    }

    /// <summary>The raw little-endian bytes of a tensor.</summary>
    public ReadOnlySpan<byte> GetBytes(string name) => GetMemory(name).Span;

    /// <summary>The raw little-endian bytes of a tensor, as memory (no copy).</summary>
    public ReadOnlyMemory<byte> GetMemory(string name)
    {
        SafeTensorInfo t = this[name];
        return _bytes.AsMemory(checked((int)(_dataStart + t.Begin)), checked((int)t.ByteLength));
    }

    /// <summary>A floating-point tensor as float32 (F16 and BF16 widened).</summary>
    public float[] ReadFloat32(string name)
    {
        SafeTensorInfo t = this[name];
        ReadOnlySpan<byte> raw = GetBytes(name);
        var result = new float[t.ElementCount];
        switch (t.DType)
        {
            case TensorDType.F32:
                MemoryMarshal.Cast<byte, float>(raw).CopyTo(result);
                break;
            case TensorDType.F16:
                ReadOnlySpan<Half> h = MemoryMarshal.Cast<byte, Half>(raw);
                for (int i = 0; i < result.Length; i++) result[i] = (float)h[i];
                break;
            case TensorDType.BF16:
                ReadOnlySpan<ushort> b = MemoryMarshal.Cast<byte, ushort>(raw);
                for (int i = 0; i < result.Length; i++) result[i] = BitConverter.Int32BitsToSingle(b[i] << 16);
                break;
            case TensorDType.F64:
                ReadOnlySpan<double> d = MemoryMarshal.Cast<byte, double>(raw);
                for (int i = 0; i < result.Length; i++) result[i] = (float)d[i];
                break;
            default:
                throw WeightFileException.For(Path, $"tensor '{name}' has dtype {t.DType}, not a floating-point type");
        }
        return result;
    }

    /// <summary>A floating-point tensor as float64 (exact for F64 and F32).</summary>
    public double[] ReadFloat64(string name)
    {
        SafeTensorInfo t = this[name];
        if (t.DType == TensorDType.F64) return MemoryMarshal.Cast<byte, double>(GetBytes(name)).ToArray();
        return Array.ConvertAll(ReadFloat32(name), v => (double)v);
    }

    /// <summary>An integer tensor (I32 or I64) as int64.</summary>
    public long[] ReadInt64(string name)
    {
        SafeTensorInfo t = this[name];
        ReadOnlySpan<byte> raw = GetBytes(name);
        return t.DType switch
        {
            TensorDType.I64 => MemoryMarshal.Cast<byte, long>(raw).ToArray(),
            TensorDType.I32 => Array.ConvertAll(MemoryMarshal.Cast<byte, int>(raw).ToArray(), v => (long)v),
            _ => throw WeightFileException.For(Path, $"tensor '{name}' has dtype {t.DType}, not an integer type"),
        };
    }

    /// <summary>An I32 tensor, or an I64 one whose values all fit in int32.</summary>
    public int[] ReadInt32(string name)
    {
        long[] v = ReadInt64(name);
        var result = new int[v.Length];
        for (int i = 0; i < v.Length; i++)
            result[i] = v[i] is >= int.MinValue and <= int.MaxValue ? (int)v[i] : throw WeightFileException.For(Path, $"tensor '{name}' value {v[i]} at {i} does not fit in int32");
        return result;
    }
}
