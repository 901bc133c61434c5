using System.Runtime.InteropServices;
using System.Text;

namespace VkResNet.Runtime.Native;

/// <summary>
/// VK_EXT_debug_utils, the one instance extension the runtime calls. Silk.NET puts extension functions in
/// Silk.NET.Vulkan.Extensions.* packages, which the package registry here does not serve, so these are
/// resolved with Silk's own GetInstanceProcAddr and called through function pointers typed with Silk's structs.
/// </summary>
public sealed unsafe class VkDebugUtilsApi
{
    public readonly delegate* unmanaged<VkInstance, VkDebugUtilsMessengerCreateInfoEXT*, void*, VkDebugUtilsMessengerEXT*, VkResult> CreateDebugUtilsMessengerEXT;
    public readonly delegate* unmanaged<VkInstance, VkDebugUtilsMessengerEXT, void*, void> DestroyDebugUtilsMessengerEXT;

    /// <summary>False when the instance was created without VK_EXT_debug_utils.</summary>
    public bool Available => CreateDebugUtilsMessengerEXT != null && DestroyDebugUtilsMessengerEXT != null;

    public VkDebugUtilsApi(VkApi api, VkInstance instance)
    {
        CreateDebugUtilsMessengerEXT = (delegate* unmanaged<VkInstance, VkDebugUtilsMessengerCreateInfoEXT*, void*, VkDebugUtilsMessengerEXT*, VkResult>)
            api.GetInstanceProcAddr(instance, "vkCreateDebugUtilsMessengerEXT").Handle;
        DestroyDebugUtilsMessengerEXT = (delegate* unmanaged<VkInstance, VkDebugUtilsMessengerEXT, void*, void>)
            api.GetInstanceProcAddr(instance, "vkDestroyDebugUtilsMessengerEXT").Handle;
    }
}

/// <summary>Vulkan version numbers as VK_MAKE_API_VERSION packs them.</summary>
public static class VkConst
{
    public static uint MakeApiVersion(uint major, uint minor, uint patch) => (major << 22) | (minor << 12) | patch;
    public static string ApiVersionString(uint v) => $"{v >> 22 & 0x7F}.{v >> 12 & 0x3FF}.{v & 0xFFF}";
}

/// <summary>Small helpers for C strings in fixed buffers.</summary>
public static unsafe class VkStrings
{
    public static string FromFixed(byte* p, int max)
    {
        int n = 0;
        while (n < max && p[n] != 0) n++;
        return Encoding.UTF8.GetString(p, n);
    }

    /// <summary>Allocates a null-terminated UTF-8 copy with <see cref="Marshal.AllocHGlobal(int)"/>; free with <see cref="Free"/>.</summary>
    public static byte* Alloc(string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        byte* p = (byte*)Marshal.AllocHGlobal(bytes.Length + 1);
        bytes.AsSpan().CopyTo(new Span<byte>(p, bytes.Length));
        p[bytes.Length] = 0;
        return p;
    }

    public static void Free(byte* p) => Marshal.FreeHGlobal((nint)p);
}
