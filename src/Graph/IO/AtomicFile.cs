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

    /// <summary>
    /// Deletes the temp files a killed writer left in <paramref name="folder"/> for the given target names
    /// (<c>.NAME.PID.GUID.tmp</c>, this class's naming) unless their process still runs; returns the names deleted.
    /// </summary>
    public static IReadOnlyList<string> RemoveStaleTemps(string folder, IEnumerable<string> targetNames)
    {
        var removed = new List<string>();
        if (!Directory.Exists(folder)) return removed;
        foreach (string target in targetNames)
            foreach (string temp in Directory.EnumerateFiles(folder, $".{target}.*.tmp"))
            {
                string[] parts = Path.GetFileName(temp)[(target.Length + 2)..].Split('.');
                if (parts.Length != 3 || !int.TryParse(parts[0], out int pid) || parts[1].Length != 32) continue;  // not our naming
                if (pid != Environment.ProcessId && IsRunning(pid)) continue;  // a live writer's file
                File.Delete(temp);
                removed.Add(Path.GetFileName(temp));
            }
        return removed;
    }

    /// <summary>Creates the folder if needed and proves a file can be written there; a read-only or unwritable folder becomes one clear IOException.</summary>
    public static void EnsureWritableFolder(string folder)
    {
        string probe = Path.Combine(folder, $".write-test.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(folder);
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write to the folder {folder}: {e.Message}", e);
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { /* the original error matters more than a leftover temp file */ }
        catch (UnauthorizedAccessException) { }
    }
}
