using VkResNet.Graph.Edge;
using VkResNet.Runtime;
using VkResNet.Viewer;
using VkResNet.Viewer.Glfw;
using VkResNet.Viewer.Rendering;
using VkResNet.Viewer.Sources;
using VkResNet.Viewer.Window;

return TopLevel.Run("vkresnet-viewer", args, Viewer, e => e switch
{
    ArgumentException => ExitCodes.Usage,  // ViewerOptions.Parse names the option and the value
    GlfwException => ExitCodes.NoDevice,   // no window system (no display, no GLFW)
    _ => null,
});

// The viewer's edge: TopLevel read and checked every switch; they reach the window and the sources as arguments.
static int Viewer(string[] args, Switches switches)
{
    var o = ViewerOptions.Parse(args) with { GlfwLibrary = switches.GlfwLibrary };
    if (o.Help)
    {
        Console.WriteLine(ViewerOptions.Usage);
        return 0;
    }
    if (o.ScreenshotPath != null) return Headless(o, switches);
    using var app = new ViewerWindow(o, switches);
    return app.Run();
}

// The screenshot path touches no window system: no GLFW, no surface, no swapchain.
static int Headless(ViewerOptions o, Switches switches)
{
    var runtime = switches.Runtime;
    using var context = VulkanContext.Create(runtime.Apply(new ContextOptions { Validation = o.Validation, ApplicationName = "vkresnet-viewer" }));
    using var device = context.CreateDevice(o.Device ?? runtime.Device, runtime.Apply(new DeviceOptions()));
    var source = FeatureSources.Open(device, o, Console.Out, switches);
    using var owner = (IDisposable)source;
    using var renderer = new FrameRenderer(source, slots: 1, FeatureSources.MetricsPath(o));
    var state = new ViewState { PerStageNormalisation = o.PerStage, ZoomChannel = o.Zoom };
    state.SelectStage(o.StageIndex(source.Stages.Select(s => s.Name).ToArray()), source.Stages.Count);
    state.Page = o.Page;
    state.ZoomChannel = o.Zoom;
    renderer.RenderToHost(state, o.Width, o.Height); // a frame shows the GPU times of the one before: draw one first
    Screenshot.Write(o.ScreenshotPath!, renderer, state, o.Width, o.Height);
    if (context.ValidationEnabled) context.ThrowIfValidationMessages();
    Console.WriteLine($"wrote {o.ScreenshotPath} ({o.Width}x{o.Height}, stage {state.Stage}: {source.Stages[state.Stage].Name})");
    return 0;
}
