using System.Runtime.InteropServices;

namespace VkResNet.Runtime.Native;

/// <summary>
/// Opens the Vulkan loader with <see cref="NativeLibrary"/> and resolves the global entry points.
/// VKRESNET_VULKAN_LIBRARY overrides the library path (used by tests of the no-loader path).
/// </summary>
public static unsafe class VkLoader
{
    static readonly object Gate = new();
    static nint _library;
    static delegate* unmanaged<VkInstance, byte*, nint> _getInstanceProcAddr;

    public static string[] CandidateNames()
    {
        string? overridePath = Environment.GetEnvironmentVariable("VKRESNET_VULKAN_LIBRARY");
        if (!string.IsNullOrEmpty(overridePath)) return [overridePath];
        if (OperatingSystem.IsWindows()) return ["vulkan-1.dll"];
        if (OperatingSystem.IsMacOS()) return ["libvulkan.1.dylib", "libvulkan.dylib", "libMoltenVK.dylib"];
        return ["libvulkan.so.1", "libvulkan.so"];
    }

    /// <summary>vkGetInstanceProcAddr, loading the library on first use.</summary>
    public static delegate* unmanaged<VkInstance, byte*, nint> GetInstanceProcAddr
    {
        get
        {
            lock (Gate)
            {
                if (_getInstanceProcAddr != null) return _getInstanceProcAddr;
                string[] names = CandidateNames();
                foreach (string name in names)
                {
                    if (!NativeLibrary.TryLoad(name, out nint lib)) continue;
                    if (NativeLibrary.TryGetExport(lib, "vkGetInstanceProcAddr", out nint gipa))
                    {
                        _library = lib;
                        _getInstanceProcAddr = (delegate* unmanaged<VkInstance, byte*, nint>)gipa;
                        return _getInstanceProcAddr;
                    }
                    NativeLibrary.Free(lib);
                }
                throw new VulkanUnavailableException(
                    $"No Vulkan loader found (tried {string.Join(", ", names)}). " +
                    "Install the loader and a driver, e.g. on Debian: sudo apt-get install libvulkan1 mesa-vulkan-drivers");
            }
        }
    }

    /// <summary>Resolves an instance-level (or, with a null instance, global) function; 0 when absent.</summary>
    public static nint Resolve(VkInstance instance, string name)
    {
        byte* n = stackalloc byte[name.Length + 1];
        for (int i = 0; i < name.Length; i++) n[i] = (byte)name[i];
        n[name.Length] = 0;
        return GetInstanceProcAddr(instance, n);
    }

    public static nint Require(VkInstance instance, string name)
    {
        nint p = Resolve(instance, name);
        if (p == 0) throw new VulkanUnavailableException($"The Vulkan loader does not provide {name}.");
        return p;
    }

    internal static nint LibraryHandle => _library;
}
