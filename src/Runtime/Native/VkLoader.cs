using System.Runtime.InteropServices;
using Silk.NET.Core.Contexts;

namespace VkResNet.Runtime.Native;

/// <summary>
/// Opens the Vulkan loader with <see cref="NativeLibrary"/> and hands Silk.NET the entry points.
/// <see cref="ContextOptions.VulkanLibrary"/> overrides the library path (the edge sets it from VKRESNET_VULKAN_LIBRARY;
/// tests of the no-loader path use it), which is why VkResNet gives Silk its own <see cref="INativeContext"/> instead of
/// <c>Vk.GetApi()</c>'s default one.
/// Each <see cref="VkApi"/> made here resolves its functions for one instance and, optionally, one device:
/// device functions through vkGetDeviceProcAddr (no loader trampoline), the rest through vkGetInstanceProcAddr.
/// </summary>
public static unsafe class VkLoader
{
    static readonly object Gate = new();
    static delegate* unmanaged<VkInstance, byte*, nint> _getInstanceProcAddr;
    static VkApi? _global;

    static string? _openedFrom; // the name the loader was opened by
    static nint _library;

    /// <summary>The library names to try: <paramref name="libraryPath"/> alone when given, else the platform's.</summary>
    public static string[] CandidateNames(string? libraryPath = null)
    {
        if (!string.IsNullOrEmpty(libraryPath)) return [libraryPath];
        if (OperatingSystem.IsWindows()) return ["vulkan-1.dll"];
        if (OperatingSystem.IsMacOS()) return ["libvulkan.1.dylib", "libvulkan.dylib", "libMoltenVK.dylib"];
        return ["libvulkan.so.1", "libvulkan.so"];
    }

    /// <summary>vkGetInstanceProcAddr, opening the loader from the platform's names on first use (unless <see cref="Open"/> named one).</summary>
    public static delegate* unmanaged<VkInstance, byte*, nint> GetInstanceProcAddr => Open(null);

    /// <summary>
    /// Opens the Vulkan loader, once per process: <paramref name="libraryPath"/> when given, else the platform's names.
    /// Throws <see cref="VulkanUnavailableException"/> naming what was tried when none opens; every API of the process
    /// shares the one loader, so naming another library once it is open throws <see cref="InvalidOperationException"/>.
    /// </summary>
    public static delegate* unmanaged<VkInstance, byte*, nint> Open(string? libraryPath)
    {
        lock (Gate)
        {
            string[] names = CandidateNames(libraryPath);
            if (_getInstanceProcAddr != null)
            {
                if (libraryPath is null) return _getInstanceProcAddr;
                if (!NativeLibrary.TryLoad(libraryPath, out nint other)) throw NotFound(names);
                NativeLibrary.Free(other);
                if (other == _library) return _getInstanceProcAddr; // the same library by another name: dlopen gave the same handle
                throw new InvalidOperationException(
                    $"The Vulkan loader is already open from {_openedFrom}; a VulkanLibrary ({libraryPath}) must be given to the process's first context.");
            }
            foreach (string name in names)
            {
                if (!NativeLibrary.TryLoad(name, out nint lib)) continue;
                if (NativeLibrary.TryGetExport(lib, "vkGetInstanceProcAddr", out nint gipa))
                {
                    _getInstanceProcAddr = (delegate* unmanaged<VkInstance, byte*, nint>)gipa;
                    _openedFrom = name;
                    _library = lib;
                    return _getInstanceProcAddr;
                }
                NativeLibrary.Free(lib);
            }
            throw NotFound(names);
        }
    }

    static VulkanUnavailableException NotFound(string[] names) => new(
        $"No Vulkan loader found (tried {string.Join(", ", names)}). " +
        "Install the loader and a driver, e.g. on Debian: sudo apt-get install libvulkan1 mesa-vulkan-drivers");

    /// <summary>Global functions (vkCreateInstance, vkEnumerateInstance*), callable before an instance exists.</summary>
    public static VkApi Global
    {
        get
        {
            _ = GetInstanceProcAddr; // throws the clear message when there is no loader
            lock (Gate) return _global ??= ForInstance(default);
        }
    }

    /// <summary>The API of one instance (functions resolved for it on first call).</summary>
    public static VkApi ForInstance(VkInstance instance) => ForDevice(instance, default);

    /// <summary>The API of one device of <paramref name="instance"/>: its device functions skip the loader's dispatch.</summary>
    public static VkApi ForDevice(VkInstance instance, VkDevice device)
    {
        _ = GetInstanceProcAddr;
        var api = new VkApi(new Context(instance, device));
        if (!instance.IsNull) api.CurrentInstance = instance;
        if (!device.IsNull) api.CurrentDevice = device;
        return api;
    }

    /// <summary>Resolves an instance-level (or, with a null instance, global) function; 0 when absent.</summary>
    public static nint Resolve(VkInstance instance, string name)
    {
        byte* n = stackalloc byte[name.Length + 1];
        for (int i = 0; i < name.Length; i++) n[i] = (byte)name[i];
        n[name.Length] = 0;
        return GetInstanceProcAddr(instance, n);
    }

    /// <summary>Whether <paramref name="api"/> can call <paramref name="name"/> (optional entry points, e.g. vkWaitSemaphores before Vulkan 1.2).</summary>
    public static bool Has(VkApi api, string name) => api.Context.TryGetProcAddress(name, out nint p) && p != 0;

    sealed class Context(VkInstance instance, VkDevice device) : INativeContext
    {
        delegate* unmanaged<VkDevice, byte*, nint> _getDeviceProcAddr;

        public nint GetProcAddress(string proc, int? slot = null) =>
            TryGetProcAddress(proc, out nint p, slot) ? p
                : throw new VulkanUnavailableException($"The Vulkan {(device.IsNull ? "loader" : "driver")} does not provide {proc}.");

        public bool TryGetProcAddress(string proc, out nint addr, int? slot = null)
        {
            if (proc == "vkGetInstanceProcAddr") { addr = (nint)GetInstanceProcAddr; return true; }
            addr = 0;
            if (!device.IsNull)
            {
                if (_getDeviceProcAddr == null) _getDeviceProcAddr = (delegate* unmanaged<VkDevice, byte*, nint>)Resolve(instance, "vkGetDeviceProcAddr");
                byte* n = stackalloc byte[proc.Length + 1];
                for (int i = 0; i < proc.Length; i++) n[i] = (byte)proc[i];
                n[proc.Length] = 0;
                if (_getDeviceProcAddr != null) addr = _getDeviceProcAddr(device, n);
            }
            if (addr == 0) addr = Resolve(instance, proc);
            return addr != 0;
        }

        public void Dispose() { }
    }
}
