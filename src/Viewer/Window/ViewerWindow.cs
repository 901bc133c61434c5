using VkResNet.Graph.Edge;
using System.Diagnostics;
using VkResNet.Runtime;
using VkResNet.Runtime.Native;
using VkResNet.Viewer.Glfw;
using VkResNet.Viewer.Rendering;
using VkResNet.Viewer.Sources;

namespace VkResNet.Viewer.Window;

/// <summary>
/// The interactive viewer: a GLFW window whose Vulkan swapchain lives on the device that holds the
/// tensors. Each frame: the compute list (inference every N frames, statistics, draw) is submitted
/// without waiting on the presentation engine; a second, small list waits for the acquired image,
/// copies the view into it and signals the present. Two frames in flight, one fence each.
/// A frame is drawn only when something changed (input, resize, a new checkpoint, a new metrics row); idle,
/// the loop sleeps in glfwWaitEventsTimeout, waking four times a second to look at the files, and presents nothing.
/// --frames and --animate draw continuously.
/// </summary>
public sealed unsafe class ViewerWindow : IDisposable
{
    const int FramesInFlight = 2;
    readonly ViewerOptions _options;
    readonly GlfwWindow _window;
    readonly VulkanContext _context;
    readonly Device _device;
    readonly VkPresentApi _present;
    readonly VkSurfaceKHR _surface;
    readonly Swapchain _swapchain;
    readonly IFeatureSource _source;
    readonly FrameRenderer _renderer;
    readonly CommandList[] _copies = new CommandList[FramesInFlight];
    readonly VkSemaphore[] _imageReady = new VkSemaphore[FramesInFlight];
    readonly ViewState _state;
    bool _disposed, _outOfDate, _inferNext, _dirty = true;
    const double IdleWakeSeconds = 0.25;

    /// <param name="switches">the switches the viewer's Program read at its edge (the runtime's, the compile switches)</param>
    public ViewerWindow(ViewerOptions options, Switches switches)
    {
        _options = options;
        _window = new GlfwWindow(options.Width, options.Height, "vkresnet-viewer", options.GlfwLibrary);
        try
        {
            var runtime = switches.Runtime;
            _context = VulkanContext.Create(runtime.Apply(new ContextOptions
            {
                Validation = options.Validation, ApplicationName = "vkresnet-viewer", InstanceExtensions = GlfwWindow.RequiredInstanceExtensions(),
            }));
            _device = _context.CreateDevice(options.Device ?? runtime.Device, runtime.Apply(new DeviceOptions { DeviceExtensions = ["VK_KHR_swapchain"] }));
            _present = new VkPresentApi(_context.Api, _context.Instance, _device.Handle);
            _surface = _window.CreateSurface(_context.Instance);
            _swapchain = new Swapchain(_device, _present, _surface);
            for (int i = 0; i < FramesInFlight; i++)
            {
                _copies[i] = _device.CreateCommandList();
                _imageReady[i] = Swapchain.CreateSemaphore(_device);
            }
            _source = FeatureSources.Open(_device, options, Console.Out, switches);
            _renderer = new FrameRenderer(_source, FramesInFlight, FeatureSources.MetricsPath(options));
            _state = new ViewState { PerStageNormalisation = options.PerStage, FramesPerInference = options.InferEvery };
            _state.SelectStage(options.StageIndex(_source.Stages.Select(s => s.Name).ToArray()), _source.Stages.Count);
            _state.Page = options.Page;
            _state.ZoomChannel = options.Zoom;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Runs until the window closes (or <see cref="ViewerOptions.Frames"/> frames were presented); returns the exit code.</summary>
    public int Run()
    {
        var clock = Stopwatch.StartNew();
        var running = Stopwatch.StartNew();
        long frame = 0, presented = 0;
        bool haveSwapchain = RecreateSwapchain();
        while (!_window.ShouldClose)
        {
            if (_options.QuitAfterSeconds > 0 && running.Elapsed.TotalSeconds >= _options.QuitAfterSeconds) break;
            if (_dirty || _options.Continuous) _window.PollEvents();
            else _window.WaitEvents(IdleWakeSeconds); // idle: sleep until input or the next look at the files
            if (HandleEvents()) _dirty = true;
            var (fw, fh) = _window.FramebufferSize;
            if (_window.IsIconified || fw == 0 || fh == 0)
            {
                _window.WaitEvents(); // minimised: sleep until something happens
                continue;
            }
            if (!haveSwapchain || _outOfDate || fw != _swapchain.Width || fh != _swapchain.Height)
            {
                haveSwapchain = RecreateSwapchain();
                _dirty = true;
                if (!haveSwapchain) continue;
            }
            if (_source.Refresh()) _inferNext = _dirty = true; // e.g. --live loaded new weights
            if (_renderer.RefreshCurves()) _dirty = true;     // --live: a new metrics row
            if (!_dirty && !_options.Continuous) continue;
            _dirty = false;

            int slot = (int)(frame % FramesInFlight);
            bool infer = _inferNext || frame == 0 || _options.Continuous && frame % _state.FramesPerInference == 0;
            _inferNext = false;
            var copy = _copies[slot];
            copy.Wait(); // this slot's output buffer and acquire semaphore are free once its last copy ran (two frames ago)
            var compute = _renderer.BeginFrame(slot, _state, infer, _swapchain.Bgra);
            compute.End();
            compute.Submit(); // waits on nothing: inference and drawing never wait for the presentation engine
            uint? index = _swapchain.Acquire(_imageReady[slot]);
            frame++;
            if (index is not uint i)
            {
                haveSwapchain = false;
                continue;
            }
            copy.Begin();
            _swapchain.RecordCopy(copy, i, _renderer.Output(slot));
            copy.End();
            copy.Submit([(_imageReady[slot], 0)], [(_swapchain.RenderDone[i], 0)]);
            if (!_swapchain.Present(i)) _outOfDate = true;
            presented++;

            double now = clock.Elapsed.TotalMilliseconds;
            _state.FrameMs = _state.FrameMs == 0 ? now : 0.9 * _state.FrameMs + 0.1 * now;
            clock.Restart();
            if (_options.Frames > 0 && presented >= _options.Frames) _window.Close();
            if (_options.ResizeAt is var (at, rw, rh) && presented == at) _window.Resize(rw, rh);
        }
        _device.WaitIdle();
        if (_context.ValidationEnabled) _context.ThrowIfValidationMessages();
        Console.WriteLine($"vkresnet-viewer: presented {presented} frames");
        return 0;
    }

    bool RecreateSwapchain()
    {
        _device.WaitIdle();
        _outOfDate = false;
        var (w, h) = _window.FramebufferSize;
        if (!_swapchain.Create(w, h)) return false;
        _renderer.Resize(_swapchain.Width, _swapchain.Height);
        Console.WriteLine($"vkresnet-viewer: swapchain {_swapchain.Width}x{_swapchain.Height}, {_swapchain.Images.Length} images, format {_swapchain.Format}");
        return true;
    }

    /// <summary>Applies queued input; true when any event arrived (the view may have changed).</summary>
    bool HandleEvents()
    {
        if (_renderer.Width == 0) return false;
        bool any = false;
        while (_window.TryDequeue(out var e))
        {
            any = true;
            var layout = _renderer.Layout(_state); // each event sees the layout the previous one made
            switch (e.Kind)
            {
                case WindowEventKind.Resize:
                    break; // the loop compares the framebuffer with the swapchain size every frame
                case WindowEventKind.Key when e.B != GlfwNative.Release:
                    switch (ViewControls.Key(e.A, _state, layout))
                    {
                        case ControlAction.Quit: _window.Close(); break;
                        case ControlAction.NextImage: SelectImage(_source.ImageIndex + 1); break;
                        case ControlAction.PreviousImage: SelectImage(_source.ImageIndex - 1); break;
                    }
                    break;
                case WindowEventKind.MouseButton when e.B == GlfwNative.Press:
                    ViewControls.Click(e.A, (int)e.X, (int)e.Y, _state, layout);
                    break;
                case WindowEventKind.Scroll:
                    ViewControls.Scroll(e.Y, _state, layout);
                    break;
            }
        }
        return any;
    }

    void SelectImage(int index)
    {
        _device.WaitIdle(); // the source may rewrite its input; no frame may be reading it
        _source.SelectImage(index);
        _renderer.StatsDirty = true;
        _inferNext = true; // a model source shows the new image's activations on the next frame
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _device?.WaitIdle();
        _renderer?.Dispose();
        (_source as IDisposable)?.Dispose();
        foreach (var c in _copies) c?.Dispose();
        if (_device != null)
            foreach (var s in _imageReady) if (!s.IsNull) _device.Api.DestroySemaphore(_device.Handle, s, null);
        _swapchain?.Dispose();
        if (!_surface.IsNull) _present.DestroySurfaceKHR(_context.Instance, _surface, null);
        _device?.Dispose();
        _context?.Dispose();
        _window.Dispose();
    }
}
