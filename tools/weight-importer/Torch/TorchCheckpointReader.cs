using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;

namespace VkResNet.Importer.Torch;

/// <summary>
/// Reads a .pth/.pt that torch.save (torch >= 1.6) wrote: a zip holding {top}/data.pkl, {top}/data/{key} storages
/// and {top}/version (plus {top}/byteorder in newer torch). The pickle goes through <see cref="RestrictedUnpickler"/>;
/// the state dict may be the pickle itself or a checkpoint dict's "state_dict" / "model" / "model_state_dict".
/// Every entry read is checked against its zip CRC-32; each storage must hold exactly the bytes it declares, and every tensor's extent must lie in it.
/// </summary>
public static class TorchCheckpointReader
{
    private const long MaxPickleBytes = 64L << 20;
    public static readonly string[] CheckpointKeys = ["state_dict", "model_state_dict", "model"];

    /// <summary>True when the bytes start like a pre-1.6 torch.save file (a protocol-2 pickle of torch's magic number).</summary>
    public static bool IsLegacyFormat(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && head[0] == 0x80 && head[1] == 0x02 && head[2] == 0x8a && head[3] == 0x0a;

    public static WeightSet Read(string path)
    {
        ZipArchive zip;
        FileStream file = File.OpenRead(path);
        try { zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: false); }
        catch (InvalidDataException e)
        {
            file.Dispose();
            throw new ImportException($"{path}: not a complete zip archive; the file is truncated or corrupt ({e.Message})");
        }
        using (zip)
        {
            try { return ReadArchive(zip, path); }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
            {
                throw new ImportException($"{path}: corrupt or truncated zip entry ({e.Message})");
            }
        }
    }

    private static WeightSet ReadArchive(ZipArchive zip, string path)
    {
        var pickles = zip.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1).ToList();
        if (zip.Entries.Any(e => e.FullName.EndsWith("/constants.pkl", StringComparison.Ordinal)))
            throw new ImportException($"{path}: a TorchScript archive (torch.jit.save); save the weights with torch.save(model.state_dict(), path) instead");
        if (pickles.Count != 1)
            throw new ImportException($"{path}: a zip file but not one torch.save wrote (expected exactly one <name>/data.pkl, found {pickles.Count})");
        string top = pickles[0].FullName[..^"data.pkl".Length];
        var byteOrder = zip.GetEntry(top + "byteorder");
        if (byteOrder != null)
        {
            if (byteOrder.Length > 64) throw new ImportException($"{path}: {byteOrder.FullName} is {byteOrder.Length} bytes, not a byte-order name");
            string order = System.Text.Encoding.ASCII.GetString(ReadVerified(byteOrder, path)).Trim();
            if (order != "little") throw new ImportException($"{path}: tensors are stored {order}-endian; only little-endian files are supported");
        }
        if (pickles[0].Length > MaxPickleBytes) throw new ImportException($"{path}: data.pkl is {pickles[0].Length} bytes, larger than any state dict's pickle");
        object? root = RestrictedUnpickler.Load(ReadVerified(pickles[0], path), $"{path} (data.pkl)");
        var (stateDict, where) = FindStateDict(root, path);

        var weights = new WeightSet();
        var storages = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (key, value) in stateDict.Items)
        {
            if (key is not string name) throw new ImportException($"{path}: {where} has a non-string key {key}");
            if (value is not TensorRef t) throw new ImportException($"{path}: {where} entry '{name}' is a {PickleText.TypeName(value)}, not a tensor");
            if (!storages.TryGetValue(t.Storage.Key, out byte[]? bytes))
            {
                var entry = zip.GetEntry($"{top}data/{t.Storage.Key}")
                    ?? throw new ImportException($"{path}: tensor '{name}' refers to storage '{t.Storage.Key}', which the archive does not hold");
                long need = checked(t.Storage.ElementCount * t.Storage.DType.Size());
                if (entry.Length != need)
                    throw new ImportException($"{path}: storage '{t.Storage.Key}' of tensor '{name}' holds {entry.Length} bytes but declares {t.Storage.ElementCount} {t.Storage.DType} elements ({need} bytes); wrong tensor size");
                storages[t.Storage.Key] = bytes = ReadVerified(entry, path);
            }
            weights.Add(Gather(name, t, bytes, path));
        }
        if (where != "the state dict") weights.Notes.Add($"took the state dict from {where}");
        return weights;
    }

    private static (PickleDict Dict, string Where) FindStateDict(object? root, string path)
    {
        if (root is not PickleDict d) throw new ImportException($"{path}: holds a pickled {PickleText.TypeName(root)}, not a state dict");
        if (d.Items.Count > 0 && d.Items.All(kv => kv.Value is TensorRef)) return (d, "the state dict");
        foreach (string k in CheckpointKeys)
            if (d.TryGet(k, out object? inner) && inner is PickleDict sd) return (sd, $"checkpoint key '{k}'");
        string keys = string.Join(", ", d.Items.Take(8).Select(kv => $"'{kv.Key}' ({PickleText.TypeName(kv.Value)})"));
        throw new ImportException($"{path}: neither a state dict (name -> tensor) nor a checkpoint with one under {string.Join("/", CheckpointKeys)}; top-level keys: {keys}");
    }

    /// <summary>Copies a strided view of a storage into a contiguous float32 tensor.</summary>
    private static WeightTensor Gather(string name, TensorRef t, byte[] storage, string path)
    {
        if (t.Shape.Length != t.Stride.Length) throw new ImportException($"{path}: tensor '{name}' has {t.Shape.Length} sizes but {t.Stride.Length} strides");
        long count = WeightTensor.ShapeElements(t.Shape);
        if (count > int.MaxValue) throw new ImportException($"{path}: tensor '{name}' has {count} elements; too large");
        long last = t.Offset;
        for (int i = 0; i < t.Shape.Length; i++) if (t.Shape[i] > 0) last = checked(last + (t.Shape[i] - 1) * t.Stride[i]);
        if (count > 0 && last >= t.Storage.ElementCount)
            throw new ImportException($"{path}: tensor '{name}' {WeightTensor.FormatShape(t.Shape)} at offset {t.Offset} reaches element {last} of a {t.Storage.ElementCount}-element storage; wrong tensor size");
        var data = new float[count];
        if (IsContiguous(t))
        {
            if (t.Storage.DType == StorageDType.Float)
                MemoryMarshal.Cast<byte, float>(storage.AsSpan(checked((int)(t.Offset * 4)), checked((int)(count * 4)))).CopyTo(data);
            else
                for (long n = 0; n < count; n++) data[n] = Element(storage, t.Storage.DType, t.Offset + n);
            return new WeightTensor(name, t.Shape, data, ToSource(t.Storage.DType));
        }
        var index = new long[t.Shape.Length];
        long src = t.Offset;
        for (long n = 0; n < count; n++)
        {
            data[n] = Element(storage, t.Storage.DType, src);
            for (int d = t.Shape.Length - 1; d >= 0; d--)  // odometer over the shape, moving src by the strides
            {
                src += t.Stride[d];
                if (++index[d] < t.Shape[d]) break;
                src -= t.Stride[d] * t.Shape[d];
                index[d] = 0;
            }
        }
        return new WeightTensor(name, t.Shape, data, ToSource(t.Storage.DType));
    }

    private static bool IsContiguous(TensorRef t)
    {
        long expected = 1;
        for (int d = t.Shape.Length - 1; d >= 0; d--)
        {
            if (t.Shape[d] != 1 && t.Stride[d] != expected) return false;
            expected *= t.Shape[d];
        }
        return true;
    }

    private static SourceDType ToSource(StorageDType t) => t switch
    {
        StorageDType.Float => SourceDType.F32,
        StorageDType.Half => SourceDType.F16,
        StorageDType.BFloat16 => SourceDType.BF16,
        StorageDType.Double => SourceDType.F64,
        StorageDType.Long => SourceDType.I64,
        _ => SourceDType.I32,
    };

    private static float Element(byte[] s, StorageDType type, long i) => type switch
    {
        StorageDType.Float => BinaryPrimitives.ReadSingleLittleEndian(s.AsSpan((int)(i * 4))),
        StorageDType.Half => (float)BinaryPrimitives.ReadHalfLittleEndian(s.AsSpan((int)(i * 2))),
        StorageDType.BFloat16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(s.AsSpan((int)(i * 2))) << 16),
        StorageDType.Double => (float)BinaryPrimitives.ReadDoubleLittleEndian(s.AsSpan((int)(i * 8))),
        StorageDType.Long => BinaryPrimitives.ReadInt64LittleEndian(s.AsSpan((int)(i * 8))),
        _ => BinaryPrimitives.ReadInt32LittleEndian(s.AsSpan((int)(i * 4))),
    };

    /// <summary>The whole entry, checked against the CRC-32 the zip stores for it: a flipped byte in a storage or the pickle is refused.</summary>
    private static byte[] ReadVerified(ZipArchiveEntry entry, string path)
    {
        if (entry.Length > int.MaxValue) throw new ImportException($"{path}: zip entry {entry.FullName} is larger than 2 GiB");
        var buffer = new byte[entry.Length];
        using (var s = entry.Open())
        {
            s.ReadExactly(buffer);
            if (s.ReadByte() != -1) throw new ImportException($"{path}: zip entry {entry.FullName} holds more than the {entry.Length} bytes its directory declares; corrupt zip");
        }
        uint crc = VkResNet.Graph.IO.Crc32.Compute(buffer);
        if (crc != entry.Crc32)
            throw new ImportException($"{path}: zip entry {entry.FullName} fails its CRC-32 check (stored {entry.Crc32:x8}, computed {crc:x8}); the file is corrupt");
        return buffer;
    }
}
