using System.Diagnostics;
using System.Globalization;
using VkResNet.Graph.Data;
using VkResNet.Graph.Edge;
using VkResNet.Graph.Embedding;
using VkResNet.Graph.Execution;
using VkResNet.Graph.Models;
using VkResNet.Graph.Training;
using VkResNet.Runtime;
using VkResNet.Samples.RealtimeHost;

// A headless real-time host: an engine with its own Vulkan device renders a frame per tick (a compute
// pass into an RGBA8 buffer, plus a 32x32 thumbnail) and "presents" it (a fence per frame), at a fixed
// target rate. VkResNet runs on the engine's device and queue, reading the thumbnail on the GPU, in three
// modes: no inference, one inference per frame recorded into the frame's command buffer, and one inference
// sliced over several frames. It prints frame-time p50/p99 for each.

return TopLevel.Run("vkresnet-realtime-host", args, Host);

// The sample's edge: TopLevel read and checked every switch (VKRESNET_DEVICE, _VALIDATION, _FULL_BARRIERS, _CHECK...).
static int Host(string[] args, Switches switches)
{
if (args.Any(a => a is "--help" or "-h"))
{
    Console.WriteLine("vkresnet-realtime-host: frame times of an engine with VkResNet inference in its frames (render only, one inference per frame, sliced).\n" + HostOptions.Usage);
    return 0;
}
var opts = HostOptions.Parse(args, switches.Runtime);
if (opts == null) return ExitCodes.Usage;

using var engine = new HostEngine(opts.Device, framesInFlight: 1, opts.Validation);
// With --validation the engine enabled the layer and VK_EXT_debug_utils; VkResNet's messenger collects what it reports.
using var context = VulkanContext.FromExternal(engine.Instance, HostEngine.ApiVersion, collectValidation: opts.Validation);
using var device = Device.FromExternal(context, engine.PhysicalDevice, engine.Device, engine.QueueFamily, 0,
    switches.Runtime.Apply(new DeviceOptions { TimelineSemaphoresEnabled = engine.Timelines }));

// The model: a checkpoint, or a CIFAR-style ResNet-20 with seeded random weights (the timing does not depend on the weights).
InferenceModel? loaded = null;
CompiledGraph graph;
ResNetModel model;
Normalization normalization;
var compile = new CompileOptions { FullBarriers = switches.FullBarriers, Check = switches.Check };
if (opts.Checkpoint != null)
{
    loaded = InferenceModel.Load(device, opts.Checkpoint, compile: compile);
    (graph, model, normalization) = (loaded.Graph, loaded.Model, loaded.Normalization);
}
else
{
    model = ResNetBuilder.Build(ResNetSpec.Cifar(20), 1, ResNetMode.Infer);
    graph = CompiledGraph.Compile(device, model.Graph, compile);
    ParameterInitializer.Initialize(graph, seed: 1);
    normalization = Normalization.Cifar10;
}
var spec = model.Spec;

// The engine's "render": the same compute pass drawn into the frame and into a model-sized thumbnail,
// recorded once per animation phase into kept command lists that each frame replays into its command buffer.
using var frame = device.CreateBuffer((long)opts.Width * opts.Height * 4, MemoryKind.DeviceLocal, "host.frame");
using var thumbnail = device.CreateBuffer((long)spec.InputHeight * spec.InputWidth * 4, MemoryKind.DeviceLocal, "host.thumbnail");
ShaderLibrary.Register(typeof(HostEngine).Assembly); // host_render_rgba8.comp is embedded in this sample, not in the runtime
var render = device.GetKernel("host_render_rgba8");
using var frameSet = device.CreateBindingSet(render, [frame.All]);
using var thumbSet = device.CreateBindingSet(render, [thumbnail.All]);
const int Phases = 60;
var renderPhases = new CommandList[Phases];
for (int p = 0; p < Phases; p++)
{
    var phase = renderPhases[p] = new CommandList(device);
    phase.FullBarrier();
    float time = p / (float)Phases * 6.2831853f;
    phase.Dispatch(render, frameSet, new RenderPush((uint)opts.Width, (uint)opts.Height, (uint)opts.Work, time),
        (uint)(opts.Width + 7) / 8, (uint)(opts.Height + 7) / 8);
    phase.Dispatch(render, thumbSet, new RenderPush((uint)spec.InputWidth, (uint)spec.InputHeight, (uint)opts.Work, time),
        (uint)(spec.InputWidth + 7) / 8, (uint)(spec.InputHeight + 7) / 8);
}

var slicing = opts.SliceMs > 0 ? SliceBudget.Milliseconds(opts.SliceMs) : SliceBudget.Passes(opts.SlicePasses);
using var inference = RealtimeInference.Create(graph, model.Input, model.Logits,
    new RealtimeOptions { Slicing = slicing, Normalization = normalization, Slots = 3 });
var source = inference.RegisterRgba8(thumbnail.All);

Console.WriteLine($"device: {device.Info.Name} ({device.Info.DriverName} {device.Info.DriverInfo}), Vulkan {device.Info.ApiVersion}, " +
                  $"{(device.TimelineSemaphores ? "timeline semaphores" : "fences")}; the engine's own VkDevice and queue (family {engine.QueueFamily}, index 0)");
Console.WriteLine($"model: {spec.Name} {spec.InputChannels}x{spec.InputHeight}x{spec.InputWidth} batch 1, {inference.PassCount} passes, " +
                  $"one-shot GPU time {inference.PassMilliseconds.Sum():F2} ms (measured at warm-up); sliced: {inference.Slices.Count} slices ({slicing})");
Console.WriteLine($"frame: {opts.Width}x{opts.Height} render ({opts.Work} terms/pixel) + {spec.InputWidth}x{spec.InputHeight} thumbnail; target {opts.Fps} fps " +
                  $"({1000.0 / opts.Fps:F2} ms), {opts.Frames} frames per mode after {opts.WarmupFrames} warm-up frames");
Console.WriteLine();
Console.WriteLine($"{"mode",-30} {"frame p50",10} {"frame p99",10} {"cpu p50",9} {"cpu p99",9} {"missed",7} {"inferences",11} {"alloc B",8}");

var loop = new FrameLoop(engine, opts, renderPhases, inference, source);
foreach (var mode in new[] { FrameMode.RenderOnly, FrameMode.InferenceEveryFrame, FrameMode.SlicedInference })
{
    var r = loop.Run(mode);
    Console.WriteLine($"{FrameLoop.Describe(mode),-30} {r.FrameP50,8:F2}ms {r.FrameP99,8:F2}ms {r.CpuP50,7:F3}ms {r.CpuP99,7:F3}ms {r.Missed,7} {r.Inferences,11} {r.AllocatedBytes,8}");
}
Console.WriteLine();
Console.WriteLine("frame = CPU start of the frame to its fence (the stand-in present); cpu = recording + submission on the host thread; " +
                  "missed = frames over the target period; alloc = managed bytes allocated by the host thread during the measured frames.");
if (loop.LastTopClass >= 0) Console.WriteLine($"last result: class {loop.LastTopClass} of the thumbnail (random weights unless --checkpoint).");

if (loaded != null) loaded.Dispose(); else graph.Dispose();
if (opts.Validation) context.ThrowIfValidationMessages();  // any message fails the run (exit 70 names it)
return 0;
}

/// <summary>Push constants of host_render_rgba8.comp.</summary>
readonly record struct RenderPush(uint Width, uint Height, uint Work, float Time);

enum FrameMode { RenderOnly, InferenceEveryFrame, SlicedInference }

/// <summary>Command-line options of the sample.</summary>
sealed record HostOptions(int Frames, int WarmupFrames, double Fps, int Width, int Height, int Work, int SlicePasses, double SliceMs, string? Checkpoint, string? Device,
    bool Validation = false)
{
    public const string Usage = "usage: vkresnet-realtime-host [--frames N] [--warmup-frames N] [--fps F] [--size WxH] [--work N] " +
                                "[--slice-passes N | --slice-ms MS] [--checkpoint model.safetensors] [--device NAME] [--validation] [--help]";

    /// <param name="runtime">the runtime switches read at the edge: VKRESNET_DEVICE and VKRESNET_VALIDATION are the defaults of --device and --validation</param>
    public static HostOptions? Parse(string[] args, RuntimeSwitches runtime)
    {
        var o = new HostOptions(300, 30, 30, 640, 360, 4, 6, 0, null, runtime.Device, runtime.Validation);
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            try
            {
                o = args[i] switch
                {
                    "--frames" => o with { Frames = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--warmup-frames" => o with { WarmupFrames = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--fps" => o with { Fps = double.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--size" => Size(o, Next()),
                    "--work" => o with { Work = int.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--slice-passes" => o with { SlicePasses = int.Parse(Next(), CultureInfo.InvariantCulture), SliceMs = 0 },
                    "--slice-ms" => o with { SliceMs = double.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--checkpoint" => o with { Checkpoint = Next() },
                    "--device" => o with { Device = Next() },
                    "--validation" => o with { Validation = true },
                    _ => throw new ArgumentException($"Unknown option {args[i]}."),
                };
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                Console.Error.WriteLine($"error: {e.Message}\n{Usage}");
                return null;
            }
        }
        string? bad = o.Frames < 1 ? $"--frames {o.Frames} must be at least 1"
            : o.WarmupFrames < 0 ? $"--warmup-frames {o.WarmupFrames} must be 0 or more"
            : !(double.IsFinite(o.Fps) && o.Fps > 0 && o.Fps <= 1000) ? $"--fps {o.Fps} must be in (0, 1000]"
            : o.Work < 0 ? $"--work {o.Work} must be 0 or more"
            : o.SlicePasses < 1 ? $"--slice-passes {o.SlicePasses} must be at least 1"
            : !(double.IsFinite(o.SliceMs) && o.SliceMs >= 0) ? $"--slice-ms {o.SliceMs} must be 0 or more" : null;
        if (bad != null)
        {
            Console.Error.WriteLine($"vkresnet-realtime-host: {bad}.");
            return null;
        }
        return o;
    }

    static HostOptions Size(HostOptions o, string s)
    {
        var p = s.Split('x');
        return p.Length == 2 && int.TryParse(p[0], out int w) && int.TryParse(p[1], out int h) && w > 0 && h > 0
            ? o with { Width = w, Height = h } : throw new ArgumentException($"--size {s} is not WxH.");
    }
}
