using System.Runtime.InteropServices;

namespace VkResNet.Viewer.Glfw;

/// <summary>A GLFW error: the library is missing, there is no display, or a call failed.</summary>
public sealed class GlfwException(string message) : Exception(message);

/// <summary>
/// The GLFW 3.3+ entry points the viewer calls, loaded with <see cref="NativeLibrary"/> (no build-time
/// dependency). Only what the window needs: init, hints, windows, Vulkan surface, events, callbacks.
/// </summary>
public static unsafe class GlfwNative
{
    public const int ClientApi = 0x00022001, NoApi = 0, Resizable = 0x00020003, Iconified = 0x00020002;
    public const int Release = 0, Press = 1, Repeat = 2;

    static nint _lib;
    public static delegate* unmanaged<int> Init;
    public static delegate* unmanaged<void> Terminate;
    public static delegate* unmanaged<byte**, int> GetError;
    public static delegate* unmanaged<int, int, void> WindowHint;
    public static delegate* unmanaged<int, int, byte*, nint, nint, nint> CreateWindow;
    public static delegate* unmanaged<nint, void> DestroyWindow;
    public static delegate* unmanaged<int> VulkanSupported;
    public static delegate* unmanaged<uint*, byte**> GetRequiredInstanceExtensions;
    public static delegate* unmanaged<nint, nint, void*, ulong*, int> CreateWindowSurface;
    public static delegate* unmanaged<void> PollEvents;
    public static delegate* unmanaged<void> WaitEvents;
    public static delegate* unmanaged<double, void> WaitEventsTimeout;
    public static delegate* unmanaged<nint, int> WindowShouldClose;
    public static delegate* unmanaged<nint, int, void> SetWindowShouldClose;
    public static delegate* unmanaged<nint, int*, int*, void> GetFramebufferSize;
    public static delegate* unmanaged<nint, int, int, void> SetWindowSize;
    public static delegate* unmanaged<nint, int*, int*, void> GetWindowSize;
    public static delegate* unmanaged<nint, int, int> GetWindowAttrib;
    public static delegate* unmanaged<nint, nint, void> SetWindowUserPointer;
    public static delegate* unmanaged<nint, nint> GetWindowUserPointer;
    public static delegate* unmanaged<nint, delegate* unmanaged<nint, int, int, int, int, void>, nint> SetKeyCallback;
    public static delegate* unmanaged<nint, delegate* unmanaged<nint, int, int, int, void>, nint> SetMouseButtonCallback;
    public static delegate* unmanaged<nint, delegate* unmanaged<nint, double, double, void>, nint> SetScrollCallback;
    public static delegate* unmanaged<nint, delegate* unmanaged<nint, double, double, void>, nint> SetCursorPosCallback;
    public static delegate* unmanaged<nint, delegate* unmanaged<nint, int, int, void>, nint> SetFramebufferSizeCallback;
    public static delegate* unmanaged<nint, delegate* unmanaged<nint, int, void>, nint> SetWindowIconifyCallback;
    public static delegate* unmanaged<nint, delegate* unmanaged<nint, void>, nint> SetWindowRefreshCallback;

    /// <summary>Library names to try: <paramref name="path"/> alone when given (ViewerOptions.GlfwLibrary, from VKRESNET_GLFW_LIBRARY at the edge; tests of the missing-library path use it).</summary>
    static string[] CandidateNames(string? path) =>
        !string.IsNullOrEmpty(path) ? [path]
        : OperatingSystem.IsWindows() ? ["glfw3.dll"]
        : OperatingSystem.IsMacOS() ? ["libglfw.3.dylib", "libglfw.dylib"]
        : ["libglfw.so.3", "libglfw.so"];

    /// <summary>Loads the library once (<paramref name="path"/>, else the platform's names); throws a <see cref="GlfwException"/> that says how to install it.</summary>
    public static void Load(string? path)
    {
        if (_lib != 0) return;
        string[] names = CandidateNames(path);
        nint lib = 0;
        foreach (string n in names)
            if (NativeLibrary.TryLoad(n, out lib)) break;
        if (lib == 0)
            throw new GlfwException($"GLFW was not found (tried {string.Join(", ", names)}). Install it (Debian: sudo apt-get install libglfw3), " +
                "or use --screenshot FILE.png, which needs no window system.");
        nint F(string name) => NativeLibrary.TryGetExport(lib, name, out nint p) ? p
            : throw new GlfwException($"The GLFW library lacks {name}; GLFW 3.3 or newer is needed.");
        Init = (delegate* unmanaged<int>)F("glfwInit");
        Terminate = (delegate* unmanaged<void>)F("glfwTerminate");
        GetError = (delegate* unmanaged<byte**, int>)F("glfwGetError");
        WindowHint = (delegate* unmanaged<int, int, void>)F("glfwWindowHint");
        CreateWindow = (delegate* unmanaged<int, int, byte*, nint, nint, nint>)F("glfwCreateWindow");
        DestroyWindow = (delegate* unmanaged<nint, void>)F("glfwDestroyWindow");
        VulkanSupported = (delegate* unmanaged<int>)F("glfwVulkanSupported");
        GetRequiredInstanceExtensions = (delegate* unmanaged<uint*, byte**>)F("glfwGetRequiredInstanceExtensions");
        CreateWindowSurface = (delegate* unmanaged<nint, nint, void*, ulong*, int>)F("glfwCreateWindowSurface");
        PollEvents = (delegate* unmanaged<void>)F("glfwPollEvents");
        WaitEvents = (delegate* unmanaged<void>)F("glfwWaitEvents");
        WaitEventsTimeout = (delegate* unmanaged<double, void>)F("glfwWaitEventsTimeout");
        WindowShouldClose = (delegate* unmanaged<nint, int>)F("glfwWindowShouldClose");
        SetWindowShouldClose = (delegate* unmanaged<nint, int, void>)F("glfwSetWindowShouldClose");
        GetFramebufferSize = (delegate* unmanaged<nint, int*, int*, void>)F("glfwGetFramebufferSize");
        SetWindowSize = (delegate* unmanaged<nint, int, int, void>)F("glfwSetWindowSize");
        GetWindowSize = (delegate* unmanaged<nint, int*, int*, void>)F("glfwGetWindowSize");
        GetWindowAttrib = (delegate* unmanaged<nint, int, int>)F("glfwGetWindowAttrib");
        SetWindowUserPointer = (delegate* unmanaged<nint, nint, void>)F("glfwSetWindowUserPointer");
        GetWindowUserPointer = (delegate* unmanaged<nint, nint>)F("glfwGetWindowUserPointer");
        SetKeyCallback = (delegate* unmanaged<nint, delegate* unmanaged<nint, int, int, int, int, void>, nint>)F("glfwSetKeyCallback");
        SetMouseButtonCallback = (delegate* unmanaged<nint, delegate* unmanaged<nint, int, int, int, void>, nint>)F("glfwSetMouseButtonCallback");
        SetScrollCallback = (delegate* unmanaged<nint, delegate* unmanaged<nint, double, double, void>, nint>)F("glfwSetScrollCallback");
        SetCursorPosCallback = (delegate* unmanaged<nint, delegate* unmanaged<nint, double, double, void>, nint>)F("glfwSetCursorPosCallback");
        SetFramebufferSizeCallback = (delegate* unmanaged<nint, delegate* unmanaged<nint, int, int, void>, nint>)F("glfwSetFramebufferSizeCallback");
        SetWindowIconifyCallback = (delegate* unmanaged<nint, delegate* unmanaged<nint, int, void>, nint>)F("glfwSetWindowIconifyCallback");
        SetWindowRefreshCallback = (delegate* unmanaged<nint, delegate* unmanaged<nint, void>, nint>)F("glfwSetWindowRefreshCallback");
        _lib = lib;
    }

    /// <summary>The last GLFW error's description, or null.</summary>
    public static string? LastError()
    {
        byte* d = null;
        int code = GetError(&d);
        return code == 0 ? null : $"{(d != null ? Marshal.PtrToStringUTF8((nint)d) : "error")} (GLFW error 0x{code:X})";
    }
}
