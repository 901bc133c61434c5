using System.Buffers.Binary;
using VkResNet.Importer.Torch;

namespace VkResNet.Importer;

public enum SourceFormat { TorchZip, Onnx, SafeTensors }

/// <summary>Tells the source format from the file's first bytes, falling back to its extension.</summary>
public static class SourceFormatDetector
{
    public static SourceFormat Detect(string path)
    {
        var head = new byte[300];
        long length;
        int n;
        using (var f = File.OpenRead(path))
        {
            length = f.Length;
            n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        var h = head.AsSpan(0, n);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (n == 0) throw new ImportException($"{path}: the file is empty");
        if (h.StartsWith("PK\x03\x04"u8) || h.StartsWith("PK\x05\x06"u8)) return SourceFormat.TorchZip;
        if (TorchCheckpointReader.IsLegacyFormat(h) || (n >= 262 && h.Slice(257, 5).SequenceEqual("ustar"u8)))
            throw new ImportException($"{path}: a legacy (pre-1.6) torch.save file, which is not supported; re-save it with torch >= 1.6: " +
                                      "torch.save(torch.load(path), new_path, _use_new_zipfile_serialization=True) — only load files you trust");
        if (ext is ".pth" or ".pt" or ".bin" or ".ckpt" && n > 0 && h[0] == 0x80)
            throw new ImportException($"{path}: a bare pickle, not the zip archive torch.save writes; re-save it with torch >= 1.6 (torch.save(..., _use_new_zipfile_serialization=True))");
        if (ext == ".safetensors") return SourceFormat.SafeTensors;
        if (ext == ".onnx") return SourceFormat.Onnx;
        if (n >= 9 && h[8] == (byte)'{' && BinaryPrimitives.ReadUInt64LittleEndian(h) <= (ulong)(length - 8)) return SourceFormat.SafeTensors;
        if (ext is ".pth" or ".pt") return SourceFormat.TorchZip;  // gives the "not a complete zip archive" error
        if (h[0] == 0x08) return SourceFormat.Onnx;  // ModelProto field 1 (ir_version, varint) comes first
        throw new ImportException($"{path}: unknown format; expected a torch.save zip (.pth/.pt), an ONNX model (.onnx) or safetensors (.safetensors)");
    }
}
