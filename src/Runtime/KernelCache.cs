using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>
/// Kernels by (name, specialization constants), compiled once per device, and the VkPipelineCache
/// persisted on disk keyed by vendor, device and the driver's pipeline-cache UUID, so that a second
/// run does not recompile. Written atomically (temp file, then rename) when the device is disposed.
/// </summary>
public sealed unsafe class KernelCache : IDisposable
{
    readonly Device _device;
    readonly Dictionary<string, Kernel> _kernels = [];
    readonly VkPipelineCache _cache;
    readonly int _initialBytes;

    public string? CacheFile { get; }
    /// <summary>The folder of the on-disk caches (the pipeline cache, the tuner's choices); null when caching is off ("none").</summary>
    public string? CacheDirectory => CacheFile is null ? null : Path.GetDirectoryName(CacheFile);
    public int Compiled { get; private set; }
    /// <summary>Wall time spent creating the <see cref="Compiled"/> pipelines (a driver's compiler, or its cache lookup).</summary>
    public TimeSpan CompileTime { get; private set; }
    /// <summary>Bytes of pipeline-cache data loaded from disk at start (0 on a cold cache).</summary>
    public int LoadedCacheBytes => _initialBytes;

    internal KernelCache(Device device, string? directory)
    {
        _device = device;
        directory ??= DefaultDirectory();
        if (directory != "none")
            CacheFile = Path.Combine(directory, $"pipelines-{device.Info.VendorId:x4}-{device.Info.DeviceId:x4}-{device.Info.PipelineCacheUuid}.bin");
        byte[] initial = [];
        try
        {
            if (CacheFile != null && File.Exists(CacheFile)) initial = File.ReadAllBytes(CacheFile);
        }
        catch (IOException) { initial = []; }
        catch (UnauthorizedAccessException) { initial = []; }
        _cache = Create(initial);
        _initialBytes = initial.Length;
    }

    VkPipelineCache Create(byte[] initial)
    {
        fixed (byte* data = initial)
        {
            var info = new VkPipelineCacheCreateInfo { SType = VkStructureType.PipelineCacheCreateInfo, InitialDataSize = (nuint)initial.Length, PInitialData = data };
            VkPipelineCache cache;
            VkResult r = _device.Api.CreatePipelineCache(_device.Handle, &info, null, &cache);
            if (r < 0 && initial.Length > 0) return Create([]); // a stale or corrupt file: start cold
            Vk.Check(r, "vkCreatePipelineCache");
            return cache;
        }
    }

    /// <summary>The user cache folder's vkresnet folder (the edge applies XDG_CACHE_HOME through <see cref="RuntimeSwitches"/>).</summary>
    static string DefaultDirectory()
    {
        string root = OperatingSystem.IsWindows() ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "vkresnet");
    }

    public Kernel Get(string name, ReadOnlySpan<SpecConstant> spec)
    {
        string key = spec.Length == 0 ? name : name + "|" + string.Join(",", spec.ToArray().Select(s => $"{s.Id}={s.Value}"));
        if (_kernels.TryGetValue(key, out var k)) return k;
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        k = new Kernel(_device, name, ShaderLibrary.Load(name), spec, _cache);
        CompileTime += System.Diagnostics.Stopwatch.GetElapsedTime(start);
        _kernels[key] = k;
        Compiled++;
        return k;
    }

    /// <summary>Writes the pipeline cache to disk (temp file + rename). Failures only cost a recompile next time.</summary>
    public void Save()
    {
        if (CacheFile == null) return;
        try
        {
            nuint size = 0;
            Vk.Check(_device.Api.GetPipelineCacheData(_device.Handle, _cache, &size, null), "vkGetPipelineCacheData");
            var data = new byte[(int)size];
            fixed (byte* p = data) Vk.CheckAllow(_device.Api.GetPipelineCacheData(_device.Handle, _cache, &size, p), "vkGetPipelineCacheData");
            Directory.CreateDirectory(Path.GetDirectoryName(CacheFile)!);
            string tmp = CacheFile + $".{Environment.ProcessId}.tmp";
            File.WriteAllBytes(tmp, data.AsSpan(0, (int)size).ToArray());
            File.Move(tmp, CacheFile, overwrite: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public void Dispose()
    {
        if (Compiled > 0) Save();
        foreach (var k in _kernels.Values) k.Dispose();
        _kernels.Clear();
        _device.Api.DestroyPipelineCache(_device.Handle, _cache, null);
    }
}
