using System.Collections.Concurrent;
using System.Reflection;

namespace VkResNet.Runtime;

/// <summary>
/// SPIR-V modules embedded as "spv/&lt;name&gt;.spv" resources. The runtime's own assembly holds the
/// kernels of src/Shaders; other assemblies (the viewer, samples, tests) add theirs with <see cref="Register"/>,
/// so the runtime embeds no shader of another room.
/// </summary>
public static class ShaderLibrary
{
    static readonly ConcurrentDictionary<Assembly, byte> Assemblies = new() { [typeof(ShaderLibrary).Assembly] = 0 };
    static readonly ConcurrentDictionary<string, uint[]> Loaded = new();

    public static void Register(Assembly assembly) => Assemblies.TryAdd(assembly, 0);

    public static IEnumerable<string> Names => Assemblies.Keys.SelectMany(NamesIn).Distinct().Order();

    /// <summary>The kernels one assembly embeds (names without "spv/" and ".spv").</summary>
    public static IEnumerable<string> NamesIn(Assembly assembly) =>
        assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("spv/", StringComparison.Ordinal) && n.EndsWith(".spv", StringComparison.Ordinal))
            .Select(n => n[4..^4]).Order();

    /// <summary>
    /// SHA-256 (first 16 hex digits) of every embedded kernel's name and SPIR-V: what the tuning cache is stamped with,
    /// so a build whose kernels changed retunes instead of trusting timings of other code. Only the runtime's own
    /// kernels count (the tuned ones): a process that registered the viewer's or a test's shaders gets the same hash.
    /// </summary>
    public static string SetHash()
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (string name in NamesIn(typeof(ShaderLibrary).Assembly))
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name + "\0"));
            sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Load(name).AsSpan()));
        }
        return Convert.ToHexString(sha.GetHashAndReset())[..16].ToLowerInvariant();
    }

    public static bool Contains(string name) => Assemblies.Keys.Any(a => a.GetManifestResourceInfo($"spv/{name}.spv") != null);

    public static uint[] Load(string name) => Loaded.GetOrAdd(name, static n =>
    {
        foreach (var assembly in Assemblies.Keys)
        {
            using Stream? s = assembly.GetManifestResourceStream($"spv/{n}.spv");
            if (s == null) continue;
            var bytes = new byte[s.Length];
            s.ReadExactly(bytes);
            if (bytes.Length % 4 != 0) throw new InvalidDataException($"Kernel {n}: SPIR-V size {bytes.Length} is not a multiple of 4.");
            return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(bytes).ToArray();
        }
        throw new KeyNotFoundException($"No kernel named \"{n}\" is embedded (known: {string.Join(", ", Names)}).");
    });
}
