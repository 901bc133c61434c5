using System.Runtime.InteropServices;
using VkResNet.Runtime.Native;

namespace VkResNet.Viewer.Glfw;

/// <summary>An input event from a GLFW callback, queued until the render loop reads it.</summary>
public readonly record struct WindowEvent(WindowEventKind Kind, int A, int B, double X, double Y);

public enum WindowEventKind { Key, MouseButton, Scroll, Resize, Iconify, Refresh }

/// <summary>
/// GLFW initialised with no client API, one window, and its callbacks turned into queued
/// <see cref="WindowEvent"/>s. Owns the GLFW library state: Dispose destroys the window and terminates.
/// </summary>
public sealed unsafe class GlfwWindow : IDisposable
{
    readonly GCHandle _self;
    readonly Queue<WindowEvent> _events = new();
    bool _disposed;

    public nint Handle { get; }
    public double CursorX { get; private set; }
    public double CursorY { get; private set; }

    /// <param name="library">the GLFW library to open; null: the platform's names</param>
    public GlfwWindow(int width, int height, string title, string? library = null)
    {
        GlfwNative.Load(library);
        if (GlfwNative.Init() == 0)
        {
            string why = GlfwNative.LastError() ?? "glfwInit failed";
            throw new GlfwException($"Cannot open a window: {why}. There is probably no display; set DISPLAY, run under a virtual X server " +
                "(xvfb-run -a vkresnet-viewer ...; Debian: sudo apt-get install xvfb), or use --screenshot FILE.png.");
        }
        try
        {
            if (GlfwNative.VulkanSupported() == 0)
                throw new GlfwException("GLFW found no Vulkan loader it can present with (glfwVulkanSupported is false).");
            GlfwNative.WindowHint(GlfwNative.ClientApi, GlfwNative.NoApi);
            GlfwNative.WindowHint(GlfwNative.Resizable, 1);
            byte* t = VkStrings.Alloc(title);
            try { Handle = GlfwNative.CreateWindow(width, height, t, 0, 0); }
            finally { VkStrings.Free(t); }
            if (Handle == 0) throw new GlfwException($"glfwCreateWindow failed: {GlfwNative.LastError()}.");
        }
        catch
        {
            GlfwNative.Terminate();
            throw;
        }
        _self = GCHandle.Alloc(this);
        GlfwNative.SetWindowUserPointer(Handle, GCHandle.ToIntPtr(_self));
        GlfwNative.SetKeyCallback(Handle, &OnKey);
        GlfwNative.SetMouseButtonCallback(Handle, &OnMouseButton);
        GlfwNative.SetScrollCallback(Handle, &OnScroll);
        GlfwNative.SetCursorPosCallback(Handle, &OnCursor);
        GlfwNative.SetFramebufferSizeCallback(Handle, &OnResize);
        GlfwNative.SetWindowIconifyCallback(Handle, &OnIconify);
        GlfwNative.SetWindowRefreshCallback(Handle, &OnRefresh); // uncovered: the idle viewer draws again
    }

    /// <summary>Instance extensions GLFW needs for surfaces on this platform (e.g. VK_KHR_surface, VK_KHR_xcb_surface).</summary>
    public static string[] RequiredInstanceExtensions()
    {
        uint n = 0;
        byte** names = GlfwNative.GetRequiredInstanceExtensions(&n);
        if (names == null) throw new GlfwException($"GLFW cannot create Vulkan surfaces here: {GlfwNative.LastError() ?? "no surface extension"}.");
        var list = new string[n];
        for (int i = 0; i < n; i++) list[i] = Marshal.PtrToStringUTF8((nint)names[i])!;
        return list;
    }

    public VkSurfaceKHR CreateSurface(VkInstance instance)
    {
        ulong surface;
        var r = (VkResult)GlfwNative.CreateWindowSurface(instance.Handle, Handle, null, &surface);
        Vk.Check(r, "glfwCreateWindowSurface");
        return new VkSurfaceKHR(surface);
    }

    public bool ShouldClose => GlfwNative.WindowShouldClose(Handle) != 0;
    public void Close() => GlfwNative.SetWindowShouldClose(Handle, 1);
    public bool IsIconified => GlfwNative.GetWindowAttrib(Handle, GlfwNative.Iconified) != 0;

    public (int Width, int Height) FramebufferSize
    {
        get
        {
            int w, h;
            GlfwNative.GetFramebufferSize(Handle, &w, &h);
            return (w, h);
        }
    }

    /// <summary>Asks for a new client size (the framebuffer-size callback reports when it took effect).</summary>
    public void Resize(int width, int height) => GlfwNative.SetWindowSize(Handle, width, height);

    public void PollEvents() => GlfwNative.PollEvents();
    public void WaitEvents() => GlfwNative.WaitEvents();
    /// <summary>Sleeps until an event arrives or <paramref name="seconds"/> pass (the idle viewer's only wake-up).</summary>
    public void WaitEvents(double seconds) => GlfwNative.WaitEventsTimeout(seconds);

    public bool TryDequeue(out WindowEvent e) => _events.TryDequeue(out e);

    static GlfwWindow? From(nint window) =>
        GlfwNative.GetWindowUserPointer(window) is nint p && p != 0 ? GCHandle.FromIntPtr(p).Target as GlfwWindow : null;

    [UnmanagedCallersOnly] static void OnKey(nint w, int key, int scancode, int action, int mods) =>
        From(w)?._events.Enqueue(new WindowEvent(WindowEventKind.Key, key, action, 0, 0));
    [UnmanagedCallersOnly] static void OnMouseButton(nint w, int button, int action, int mods)
    {
        var self = From(w);
        if (self == null) return;
        // The cursor is in window coordinates; the view is in framebuffer pixels (they differ on HiDPI screens).
        int ww, wh, fw, fh;
        GlfwNative.GetWindowSize(w, &ww, &wh);
        GlfwNative.GetFramebufferSize(w, &fw, &fh);
        double sx = ww > 0 ? (double)fw / ww : 1, sy = wh > 0 ? (double)fh / wh : 1;
        self._events.Enqueue(new WindowEvent(WindowEventKind.MouseButton, button, action, self.CursorX * sx, self.CursorY * sy));
    }
    [UnmanagedCallersOnly] static void OnScroll(nint w, double dx, double dy) =>
        From(w)?._events.Enqueue(new WindowEvent(WindowEventKind.Scroll, 0, 0, dx, dy));
    [UnmanagedCallersOnly] static void OnCursor(nint w, double x, double y)
    {
        var self = From(w);
        if (self != null) (self.CursorX, self.CursorY) = (x, y);
    }
    [UnmanagedCallersOnly] static void OnResize(nint w, int width, int height) =>
        From(w)?._events.Enqueue(new WindowEvent(WindowEventKind.Resize, width, height, 0, 0));
    [UnmanagedCallersOnly] static void OnRefresh(nint w) =>
        From(w)?._events.Enqueue(new WindowEvent(WindowEventKind.Refresh, 0, 0, 0, 0));
    [UnmanagedCallersOnly] static void OnIconify(nint w, int iconified) =>
        From(w)?._events.Enqueue(new WindowEvent(WindowEventKind.Iconify, iconified, 0, 0, 0));

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        GlfwNative.DestroyWindow(Handle);
        GlfwNative.Terminate();
        if (_self.IsAllocated) _self.Free();
    }
}
