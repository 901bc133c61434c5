using System.Buffers.Binary;
using System.IO.Compression;

namespace VkResNet.Graph.Data;

/// <summary>
/// Reads and writes IDX files (LeCun's MNIST format): magic 00 00 08 ndims, ndims big-endian int32
/// sizes, then the uint8 payload. Gzip is detected by its magic, not the file name.
/// Only the unsigned-byte element type (0x08) is accepted; that is what (Fashion-)MNIST uses.
/// </summary>
public static class IdxReader
{
    private const byte UnsignedByte = 0x08;

    public static IdxFile Read(string path)
    {
        byte[] raw = ReadMaybeGzip(path);
        return Parse(raw, path);
    }

    /// <summary>Parses an in-memory IDX image; <paramref name="path"/> only names it in errors.</summary>
    public static IdxFile Parse(ReadOnlySpan<byte> raw, string path)
    {
        if (raw.Length < 4) throw DatasetException.For(path, $"IDX file is {raw.Length} bytes, shorter than its 4-byte magic");
        if (raw[0] != 0 || raw[1] != 0)
            throw DatasetException.For(path, $"bad IDX magic {raw[0]:X2} {raw[1]:X2} {raw[2]:X2} {raw[3]:X2} (expected 00 00 08 <ndims>)");
        if (raw[2] != UnsignedByte)
            throw DatasetException.For(path, $"IDX element type 0x{raw[2]:X2} is not supported (only 0x08, unsigned byte)");
        int ndims = raw[3];
        if (ndims == 0) throw DatasetException.For(path, "IDX file declares 0 dimensions");
        int headerBytes = 4 + 4 * ndims;
        if (raw.Length < headerBytes)
            throw DatasetException.For(path, $"truncated IDX header: {ndims} dimensions need {headerBytes} bytes, file has {raw.Length}");
        var dims = new int[ndims];
        long count = 1;
        for (int i = 0; i < ndims; i++)
        {
            int d = BinaryPrimitives.ReadInt32BigEndian(raw.Slice(4 + 4 * i));
            if (d < 0) throw DatasetException.For(path, $"IDX dimension {i} is negative ({d})");
            dims[i] = d;
            count *= d;
            if (count > Array.MaxLength) throw DatasetException.For(path, $"IDX dimensions {string.Join('x', dims.Take(i + 1))} are too large");
        }
        long payload = raw.Length - headerBytes;
        if (payload != count)
            throw DatasetException.For(path, $"IDX dimensions {string.Join('x', dims)} need {count} data bytes but the file has {payload}" + (payload < count ? " (truncated)" : " (trailing bytes)"));
        return new IdxFile(dims, raw.Slice(headerBytes).ToArray());
    }

    /// <summary>Writes an unsigned-byte IDX file (gzip when <paramref name="gzip"/>); used by tests and tools.</summary>
    public static void Write(string path, ReadOnlySpan<int> dims, ReadOnlySpan<byte> data, bool gzip)
    {
        long count = 1;
        foreach (int d in dims) count *= d;
        if (count != data.Length) throw new ArgumentException($"dims {string.Join('x', dims.ToArray())} need {count} bytes, got {data.Length}");
        using var file = File.Create(path);
        using Stream s = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        Span<byte> head = stackalloc byte[4];
        head[0] = 0; head[1] = 0; head[2] = UnsignedByte; head[3] = checked((byte)dims.Length);
        s.Write(head);
        foreach (int d in dims)
        {
            BinaryPrimitives.WriteInt32BigEndian(head, d);
            s.Write(head);
        }
        s.Write(data);
    }

    /// <summary>Images (N x H x W) and labels (N) from two IDX files, checked against each other.</summary>
    public static Dataset ReadDataset(string imagesPath, string labelsPath, IReadOnlyList<string> classNames, string name)
    {
        IdxFile images = Read(imagesPath);
        IdxFile labels = Read(labelsPath);
        if (images.Dimensions.Length != 3)
            throw DatasetException.For(imagesPath, $"expected a 3-dimensional image file (N x H x W), found {images.Dimensions.Length} dimensions");
        if (labels.Dimensions.Length != 1)
            throw DatasetException.For(labelsPath, $"expected a 1-dimensional label file, found {labels.Dimensions.Length} dimensions");
        if (images.Dimensions[0] != labels.Dimensions[0])
            throw DatasetException.For(labelsPath, $"{labels.Dimensions[0]} labels for {images.Dimensions[0]} images in {imagesPath}");
        var ints = new int[labels.Data.Length];
        for (int i = 0; i < ints.Length; i++)
        {
            ints[i] = labels.Data[i];
            if (ints[i] >= classNames.Count)
                throw DatasetException.For(labelsPath, $"label {ints[i]} at index {i} is outside 0..{classNames.Count - 1}");
        }
        return new Dataset(name, 1, images.Dimensions[1], images.Dimensions[2], images.Data, ints, classNames);
    }

    /// <summary>Finds "<paramref name="stem"/>" or "<paramref name="stem"/>.gz" in a folder.</summary>
    public static string FindFile(string folder, string stem)
    {
        if (!Directory.Exists(folder)) throw new DatasetException($"{folder}: dataset folder does not exist");
        foreach (string candidate in new[] { stem + ".gz", stem })
        {
            string p = Path.Combine(folder, candidate);
            if (File.Exists(p)) return p;
        }
        throw new DatasetException($"{folder}: neither {stem}.gz nor {stem} exists");
    }

    internal static byte[] ReadMaybeGzip(string path)
    {
        byte[] raw;
        try { raw = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DatasetException.For(path, $"cannot read file ({e.Message})");
        }
        if (raw.Length < 2 || raw[0] != 0x1f || raw[1] != 0x8b) return raw;
        try
        {
            using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var output = new MemoryStream();
            gz.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw DatasetException.For(path, $"corrupt or truncated gzip data ({e.Message})");
        }
    }
}
