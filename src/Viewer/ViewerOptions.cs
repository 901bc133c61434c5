using System.Globalization;

namespace VkResNet.Viewer;

/// <summary>Command-line options of vkresnet-viewer (parsed by hand: a dozen flags, one clear error each).</summary>
public sealed record ViewerOptions
{
    public string? ScreenshotPath { get; init; }
    public string? Stage { get; init; }
    public int Width { get; init; } = 1280;
    public int Height { get; init; } = 800;
    /// <summary>The image to show first: a dataset index, an index into <see cref="Images"/>, or the synthetic batch entry.</summary>
    public int Index { get; init; }
    /// <summary>Image files to step through (--image, repeatable) instead of a dataset.</summary>
    public IReadOnlyList<string> Images { get; init; } = [];
    public string? Checkpoint { get; init; }
    public string Data { get; init; } = "fashion-mnist";
    public string? DataDir { get; init; }
    /// <summary>A training run's folder: view its checkpoint and reload it whenever the trainer rewrites it.</summary>
    public string? LiveRun { get; init; }
    /// <summary>Draw the synthetic source even when a checkpoint is at hand (tests, demos).</summary>
    public bool Synthetic { get; init; }
    public int Page { get; init; }
    public int Zoom { get; init; } = -1;
    public bool PerStage { get; init; }
    public string? Device { get; init; }
    /// <summary>The GLFW library to open; null: the platform's names (the viewer's edge sets it from VKRESNET_GLFW_LIBRARY).</summary>
    public string? GlfwLibrary { get; init; }
    public bool? Validation { get; init; }
    public int InferEvery { get; init; } = 4;
    /// <summary>Window mode: close after this many presented frames (0: run until closed). For tests and demos.</summary>
    public int Frames { get; init; }
    /// <summary>Window mode: close after this many seconds (0: run until closed). For the idle-CPU test and measurement.</summary>
    public double QuitAfterSeconds { get; init; }
    /// <summary>Redraw every frame instead of only on input, a new checkpoint or a new metrics row (implied by --frames and --animate).</summary>
    public bool Continuous => Frames > 0 || Animate;
    public bool Help { get; init; }
    /// <summary>Window: the synthetic source's "inference" alternates two phases (exercises the inference path).</summary>
    public bool Animate { get; init; }
    /// <summary>Window: after this many presented frames, resize the window (exercises swapchain recreation in tests).</summary>
    public (int Frame, int Width, int Height)? ResizeAt { get; init; }

    public const string Usage = """
        vkresnet-viewer: a ResNet's feature maps per stage, drawn live from the GPU tensors.

        usage: vkresnet-viewer [options]
          --checkpoint PATH       model to view (trainer's or vkresnet-import's; default runs/latest/checkpoint.safetensors
                                  when it exists, else a synthetic source)
          --live RUN_DIR          view RUN_DIR/checkpoint.safetensors and reload it whenever training rewrites it
          --image FILE            image to classify (PNG, baseline JPEG, PGM/PPM; resized); repeat for several
          --index N               image to show first: dataset test index or --image number (default 0)
          --data KIND             dataset of the images when no --image: fashion-mnist (default), cifar10, images
          --data-dir DIR          its folder (fashion-mnist default /usr/share/datasets/fashion-mnist)
          --synthetic             draw the synthetic ResNet-18-shaped source instead of a model
          --screenshot FILE.png   render one frame offscreen (no window system) and write a PNG
          --stage S               stage to show, by index or name (default 0)
          --size WxH              view size (default 1280x800)
          --page P                page of channel tiles (default 0)
          --zoom C                show channel C alone
          --per-stage             normalise tiles per stage instead of per channel
          --device SEL            Vulkan device index or name substring
          --validation            enable the Khronos validation layer (also VKRESNET_VALIDATION=1)
          --infer-every N         window: run inference every N frames (default 4)
          --frames N              window: draw N frames back to back, then close (tests, frame timing)
          --quit-after S          window: close after S seconds
        The window redraws only on input, a new checkpoint or a new metrics row; idle, it presents nothing.
          --resize-at F:WxH       window: resize itself to WxH after F frames (tests swapchain recreation)
          --animate               window, synthetic source: "inference" alternates two patterns every N frames
        Keys: Left/Right stage, PgUp/PgDn or wheel page, N/P image, S normalisation, Z or click zoom, Esc quit.
        """;

    public static ViewerOptions Parse(string[] args)
    {
        var o = new ViewerOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value.");
            int Int(int min) => int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min
                ? v : throw new ArgumentException($"{a} needs an integer >= {min}, got \"{args[i]}\".");
            o = a switch
            {
                "--screenshot" => o with { ScreenshotPath = Next() },
                "--stage" => o with { Stage = Next() },
                "--size" => ParseSize(o, Next()),
                "--index" => o with { Index = Int(0) },
                "--image" => o with { Images = [.. o.Images, Next()] },
                "--checkpoint" => o with { Checkpoint = Next() },
                "--live" => o with { LiveRun = Next() },
                "--data" => o with { Data = Next() },
                "--data-dir" => o with { DataDir = Next() },
                "--synthetic" => o with { Synthetic = true },
                "--page" => o with { Page = Int(0) },
                "--zoom" => o with { Zoom = Int(0) },
                "--per-stage" => o with { PerStage = true },
                "--device" => o with { Device = Next() },
                "--validation" => o with { Validation = true },
                "--infer-every" => o with { InferEvery = Int(1) },
                "--frames" => o with { Frames = Int(1) },
                "--quit-after" => o with { QuitAfterSeconds = double.TryParse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture, out double sec) && sec > 0
                    ? sec : throw new ArgumentException($"--quit-after needs a positive number of seconds, got \"{args[i]}\".") },
                "--animate" => o with { Animate = true },
                "--resize-at" => ParseResize(o, Next()),
                "-h" or "--help" => o with { Help = true },
                _ => throw new ArgumentException($"Unknown option {a}. Run vkresnet-viewer --help."),
            };
        }
        if (o.LiveRun != null && o.Checkpoint != null)
            throw new ArgumentException("Give --checkpoint PATH or --live RUN_DIR, not both (--live views RUN_DIR/checkpoint.safetensors).");
        if (o.Synthetic && (o.LiveRun != null || o.Checkpoint != null || o.Images.Count > 0))
            throw new ArgumentException("--synthetic draws made-up tensors; it takes no --checkpoint, --live or --image.");
        return o;
    }

    static ViewerOptions ParseResize(ViewerOptions o, string s)
    {
        int colon = s.IndexOf(':');
        if (colon > 0 && int.TryParse(s[..colon], out int frame) && frame >= 1)
        {
            var sized = ParseSize(o, s[(colon + 1)..]);
            return o with { ResizeAt = (frame, sized.Width, sized.Height) };
        }
        throw new ArgumentException($"--resize-at needs FRAME:WxH (frame >= 1), got \"{s}\".");
    }

    static ViewerOptions ParseSize(ViewerOptions o, string s)
    {
        var parts = s.Split('x', 'X');
        if (parts.Length == 2 && int.TryParse(parts[0], out int w) && int.TryParse(parts[1], out int h) && w is >= 64 and <= 8192 && h is >= 64 and <= 8192)
            return o with { Width = w, Height = h };
        throw new ArgumentException($"--size needs WxH with each side in 64..8192, got \"{s}\".");
    }

    /// <summary>The stage index <see cref="Stage"/> names, among <paramref name="names"/>.</summary>
    public int StageIndex(IReadOnlyList<string> names)
    {
        if (Stage == null) return 0;
        if (int.TryParse(Stage, out int i))
            return i >= 0 && i < names.Count ? i : throw new ArgumentException($"--stage {i} is out of range; stages are 0..{names.Count - 1}: {string.Join(", ", names)}.");
        int k = names.ToList().FindIndex(n => n.Equals(Stage, StringComparison.OrdinalIgnoreCase));
        return k >= 0 ? k : throw new ArgumentException($"No stage named \"{Stage}\"; stages: {string.Join(", ", names)}.");
    }
}
