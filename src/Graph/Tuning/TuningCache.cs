using System.Text.Json;
using System.Text.Json.Serialization;
using VkResNet.Graph.IO;
using VkResNet.Graph.Kernels;

namespace VkResNet.Graph.Tuning;

/// <summary>
/// The tuner's choices on disk: one JSON file per device beside the pipeline cache, stamped with the device name,
/// the driver version and the hash of the embedded SPIR-V, holding per key the chosen candidate and the times measured.
/// A file that does not parse (corrupt) or whose stamp differs (another driver or build: foreign) is ignored with a
/// warning and rebuilt; writes go to a temp file renamed over the old one, so a reader never sees half a file.
/// </summary>
public sealed class TuningCache
{
    /// <summary>
    /// The file format and the way its times were measured: /2 judges a slow candidate on its first warm run (/1 did so on
    /// the cold one, where a first dispatch's compile made good candidates look 10-400x slow), so /1 files are rebuilt.
    /// </summary>
    public const string Format = "vkresnet-tuning/2";

    /// <summary>One key's record: the winner, every agreeing candidate's median ms, the candidates dropped for disagreeing and those not timed.</summary>
    public sealed record Entry(string Choice, SortedDictionary<string, double> Ms, List<string> Dropped, List<string> Skipped);

    sealed record FileBody(string Format, string Device, string Driver, string KernelSet, SortedDictionary<string, Entry> Entries);

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
                                                         DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    readonly SortedDictionary<string, Entry> _entries;

    TuningCache(string? path, string device, string driver, string kernelSet, SortedDictionary<string, Entry> entries)
    {
        Path = path;
        Device = device;
        Driver = driver;
        KernelSet = kernelSet;
        _entries = entries;
    }

    /// <summary>The file (null: in memory only, e.g. VKRESNET_CACHE_DIR=none).</summary>
    public string? Path { get; }
    public string Device { get; }
    public string Driver { get; }
    public string KernelSet { get; }
    public int Count => _entries.Count;
    /// <summary>True once an entry was added or replaced since loading.</summary>
    public bool Changed { get; private set; }

    /// <summary>Reads the file when it exists and carries this stamp; otherwise starts empty (warning when the file was unusable).</summary>
    public static TuningCache Load(string? path, string device, string driver, string kernelSet, Action<string> warn)
    {
        var entries = new SortedDictionary<string, Entry>(StringComparer.Ordinal);
        var cache = new TuningCache(path, device, driver, kernelSet, entries);
        if (path is null || !File.Exists(path)) return cache;
        FileBody? body;
        try
        {
            body = JsonSerializer.Deserialize<FileBody>(File.ReadAllText(path), Json);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            warn($"tuning cache {path} is unreadable ({e.GetType().Name}: {e.Message.Split('\n')[0]}); ignored, it will be rebuilt.");
            return cache;
        }
        if (body is { Format: "vkresnet-tuning/1" })
        {
            warn($"tuning cache {path} was measured by an older tuner ({body.Format}, whose times of a key's first candidates were cold); ignored, it will be rebuilt.");
            return cache;
        }
        if (body is null || body.Format != Format || body.Entries is null || body.Entries.Values.Any(e => e?.Choice is null || e.Ms is null || e.Dropped is null || e.Skipped is null))
        {
            warn($"tuning cache {path} is not a {Format} file; ignored, it will be rebuilt.");
            return cache;
        }
        if (body.Device != device || body.Driver != driver || body.KernelSet != kernelSet)
        {
            warn($"tuning cache {path} was made for {body.Device}, driver {body.Driver}, kernels {body.KernelSet} " +
                 $"(this is {device}, driver {driver}, kernels {kernelSet}); ignored, it will be rebuilt.");
            return cache;
        }
        foreach (var (k, e) in body.Entries) entries[k] = e;
        return cache;
    }

    public bool TryGet(ConvKey key, out Entry entry) => _entries.TryGetValue(key.ToString(), out entry!);

    public void Set(ConvKey key, Entry entry)
    {
        _entries[key.ToString()] = entry;
        Changed = true;
    }

    /// <summary>Writes the file atomically; a failure only costs a retune next time, so it is a warning.</summary>
    public void Save(Action<string> warn)
    {
        if (Path is null) return;
        try
        {
            AtomicFile.WriteAllText(Path, JsonSerializer.Serialize(new FileBody(Format, Device, Driver, KernelSet, _entries), Json));
            Changed = false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            warn($"tuning cache {Path} could not be written ({e.Message}); the next run tunes again.");
        }
    }
}
