namespace VkResNet.Graph.IO;

/// <summary>
/// Writes a file so that readers see either the old content or the complete new one:
/// write a temp file in the same folder (same file system, so the rename is atomic), flush it to disk,
/// then rename over the target. On failure the temp file is deleted and the old file is untouched.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes UTF-8 text atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, s => { var bytes = System.Text.Encoding.UTF8.GetBytes(text); s.Write(bytes, 0, bytes.Length); });

    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(folder);
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { /* the original error matters more than a leftover temp file */ }
        catch (UnauthorizedAccessException) { }
    }
}
