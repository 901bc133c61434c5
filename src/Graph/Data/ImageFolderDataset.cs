using VkResNet.Graph.IO;

namespace VkResNet.Graph.Data;

/// <summary>
/// Loads a folder laid out as root/&lt;class name&gt;/&lt;image&gt; (class order = ordinal sort of folder names),
/// decodes PNG, baseline JPEG and binary PGM/PPM by their magic bytes, converts to the requested channel count
/// and resizes bilinearly to the model's input size, all into memory.
/// </summary>
public static class ImageFolderDataset
{
    public const string SupportedFormats =
        "PNG (8-bit gray/gray+alpha/RGB/RGBA/palette, non-interlaced), baseline JPEG (gray/YCbCr, not progressive), binary PGM (P5), binary PPM (P6)";

    public static Dataset Load(string root, int channels, int height, int width)
    {
        if (!Directory.Exists(root)) throw new DatasetException($"{root}: image folder does not exist");
        if (channels is not (1 or 3)) throw new DatasetException($"{root}: only 1 or 3 channels can be produced, asked for {channels}");
        string[] classDirs = Directory.GetDirectories(root)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal).ToArray();
        if (classDirs.Length == 0) throw new DatasetException($"{root}: no class subfolders (expected root/<class>/<image files>)");

        var files = new List<(string Path, int Label)>();
        for (int k = 0; k < classDirs.Length; k++)
        {
            foreach (string f in Directory.GetFiles(classDirs[k]).Where(f => !Path.GetFileName(f).StartsWith('.')).OrderBy(f => f, StringComparer.Ordinal))
                files.Add((f, k));
        }
        if (files.Count == 0) throw new DatasetException($"{root}: the class subfolders hold no image files");

        int imageBytes = channels * height * width;
        var pixels = new byte[(long)files.Count * imageBytes];
        var labels = new int[files.Count];
        for (int i = 0; i < files.Count; i++)
        {
            RasterImage img = Decode(files[i].Path);
            ImageResize.ToPlanar(img.Pixels, img.Width, img.Height, img.Channels, pixels.AsSpan(i * imageBytes, imageBytes), channels, height, width);
            labels[i] = files[i].Label;
        }
        string[] names = classDirs.Select(d => Path.GetFileName(d)).ToArray();
        return new Dataset(Path.GetFileName(Path.TrimEndingDirectorySeparator(root)), channels, height, width, pixels, labels, names);
    }

    /// <summary>Decodes one image file by its content; unsupported or corrupt files give a DatasetException naming the file.</summary>
    /// <summary>One image file decoded and resized to planar uint8 CHW of the given size.</summary>
    public static byte[] LoadImage(string path, int channels, int height, int width)
    {
        var img = Decode(path);
        var pixels = new byte[channels * height * width];
        ImageResize.ToPlanar(img.Pixels, img.Width, img.Height, img.Channels, pixels, channels, height, width);
        return pixels;
    }

    public static RasterImage Decode(string path)
    {
        byte[] data;
        try { data = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DatasetException.For(path, $"cannot read file ({e.Message})");
        }
        try
        {
            if (PngReader.HasSignature(data)) return PngReader.Decode(data);
            if (PnmReader.HasSignature(data)) return PnmReader.Decode(data);
            if (JpegReader.HasSignature(data)) return JpegReader.Decode(data);
        }
        catch (InvalidDataException e)
        {
            throw DatasetException.For(path, e.Message);
        }
        string kind = data.Length >= 2 && data[0] == (byte)'B' && data[1] == (byte)'M' ? "BMP is not supported"
            : data.Length >= 3 && data[0] == (byte)'G' && data[1] == (byte)'I' && data[2] == (byte)'F' ? "GIF is not supported"
            : "unrecognised image format";
        throw DatasetException.For(path, $"{kind}; supported formats: {SupportedFormats}");
    }
}
