using VkResNet.Graph.Edge;
using VkResNet.Graph.IO;
using VkResNet.Runtime.Tests;
using VkResNet.Viewer.Rendering;
using VkResNet.Viewer.Sources;
using Xunit;

namespace VkResNet.Viewer.Tests;

/// <summary>
/// The executable: the real window under Xvfb (its screen, read from Xvfb's -fbdir file, matches the
/// headless render; closing ends cleanly with validation on), the no-display error, and the
/// screenshot command. Needs xvfb and libglfw3 (scripts/setup.sh and .ci/run install them).
/// </summary>
public sealed class WindowTests(GpuFixture gpu) : GpuTest(gpu)
{
    const string InstallHint = "install them with: sudo apt-get install xvfb libglfw3 (scripts/setup.sh and .ci/run do)";

    static double MismatchFraction(RasterImage screen, RasterImage want)
    {
        int bad = 0;
        for (int y = 0; y < want.Height; y++)
            for (int x = 0; x < want.Width; x++)
                for (int c = 0; c < 3; c++)
                    if (Math.Abs(screen[y, x, c] - want[y, x, c]) > 2) { bad++; break; }
        return bad / (double)(want.Width * want.Height);
    }

    [Fact]
    public void Window_under_xvfb_shows_the_headless_view_and_closes_cleanly()
    {
        Assert.True(ViewerProcess.OnPath("xvfb-run"), $"xvfb-run is not installed; the window test needs Xvfb and GLFW: {InstallHint}.");
        const int w = 640, h = 400, frames = 30;
        string fb = Directory.CreateTempSubdirectory("vkresnet-xvfb-").FullName;
        try
        {
            RasterImage want;
            using (var source = new SyntheticFeatureSource(Device, SyntheticFeatureSource.ResNet18Shapes()))
            using (var renderer = new FrameRenderer(source, slots: 1))
            {
                var state = new ViewState();
                state.SelectStage(2, source.Stages.Count);
                want = Screenshot.Render(renderer, state, w, h);
            }

            using var viewer = new ViewerProcess(null, $"-screen 0 {w}x{h}x24 -fbdir {fb}",
                "--frames", $"{frames}", "--size", $"{w}x{h}", "--stage", "2", "--validation", "--synthetic");
            double best = 1;
            string screenFile = Path.Combine(fb, "Xvfb_screen0");
            while (!viewer.HasExited && best > 0.02)
            {
                Thread.Sleep(100);
                try
                {
                    if (File.Exists(screenFile)) best = Math.Min(best, MismatchFraction(XwdImage.Read(File.ReadAllBytes(screenFile)), want));
                }
                catch (Exception e) when (e is IOException or ArgumentException or InvalidDataException or IndexOutOfRangeException)
                {
                    // Xvfb is still creating the file: try again.
                }
            }
            var (code, stdout, stderr) = viewer.Wait(TimeSpan.FromMinutes(5));
            Assert.True(code == 0, $"vkresnet-viewer exited with {code}.\nstdout: {stdout}\nstderr: {stderr}");
            Assert.Contains($"presented {frames} frames", stdout);
            Assert.True(best <= 0.02, $"the window never matched the headless render: at best {best:P1} of pixels differ (frame-time text alone is under 2%)");
        }
        finally
        {
            try { Directory.Delete(fb, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void Animated_inference_every_two_frames_is_validation_clean_under_xvfb()
    {
        Assert.True(ViewerProcess.OnPath("xvfb-run"), $"xvfb-run is not installed; the window test needs Xvfb and GLFW: {InstallHint}.");
        using var viewer = new ViewerProcess(null, "-screen 0 800x600x24", "--frames", "12", "--size", "800x600", "--animate", "--infer-every", "2", "--validation", "--synthetic");
        var (code, stdout, stderr) = viewer.Wait(TimeSpan.FromMinutes(5));
        Assert.True(code == 0, $"vkresnet-viewer exited with {code}.\nstdout: {stdout}\nstderr: {stderr}");
        Assert.Contains("presented 12 frames", stdout);
    }

    [Fact]
    public void Resizing_the_window_recreates_the_swapchain_validation_clean()
    {
        Assert.True(ViewerProcess.OnPath("xvfb-run"), $"xvfb-run is not installed; the window test needs Xvfb and GLFW: {InstallHint}.");
        using var viewer = new ViewerProcess(null, "-screen 0 800x600x24", "--frames", "12", "--size", "640x400", "--resize-at", "4:480x320", "--validation", "--synthetic");
        var (code, stdout, stderr) = viewer.Wait(TimeSpan.FromMinutes(5));
        Assert.True(code == 0, $"vkresnet-viewer exited with {code}.\nstdout: {stdout}\nstderr: {stderr}");
        Assert.Contains("swapchain 640x400", stdout);
        Assert.Contains("swapchain 480x320", stdout);
        Assert.Contains("presented 12 frames", stdout);
    }

    [Fact]
    public void Without_a_display_the_window_fails_with_an_xvfb_hint()
    {
        using var viewer = new ViewerProcess(new Dictionary<string, string?> { ["DISPLAY"] = null, ["WAYLAND_DISPLAY"] = null }, null, "--frames", "1");
        var (code, _, stderr) = viewer.Wait(TimeSpan.FromMinutes(2));
        Assert.True(code == ExitCodes.NoDevice, $"exit code {code}, stderr: {stderr}");
        Assert.Contains("xvfb-run", stderr);
    }

    [Fact]
    public void Without_glfw_the_window_fails_saying_how_to_install_it()
    {
        using var viewer = new ViewerProcess(new Dictionary<string, string?> { ["VKRESNET_GLFW_LIBRARY"] = "/nonexistent/libglfw.so.3" }, null, "--frames", "1");
        var (code, _, stderr) = viewer.Wait(TimeSpan.FromMinutes(2));
        Assert.True(code == ExitCodes.NoDevice, $"exit code {code}, stderr: {stderr}");
        Assert.Contains("apt-get install libglfw3", stderr);
        Assert.Contains("--screenshot", stderr);
    }

    [Fact]
    public void Screenshot_command_writes_a_png_of_the_asked_size()
    {
        string path = Path.Combine(Path.GetTempPath(), $"vkresnet-viewer-{Guid.NewGuid():N}.png");
        try
        {
            using var viewer = new ViewerProcess(null, null, "--screenshot", path, "--stage", "layer3", "--size", "320x200", "--per-stage", "--synthetic");
            var (code, stdout, stderr) = viewer.Wait(TimeSpan.FromMinutes(3));
            Assert.True(code == 0, $"exit code {code}, stderr: {stderr}");
            Assert.Contains("layer3", stdout);
            var png = PngReader.Read(path);
            Assert.Equal((320, 200), (png.Width, png.Height));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("--stage nope", "No stage named \"nope\"")]
    [InlineData("--size 10x10", "--size needs WxH")]
    [InlineData("--bogus", "Unknown option --bogus")]
    [InlineData("--frames 0", "--frames needs an integer >= 1")]
    [InlineData("--checkpoint /nonexistent/model.safetensors", "No checkpoint at /nonexistent/model.safetensors")]
    [InlineData("--live /nonexistent/run", "No checkpoint.safetensors in /nonexistent/run yet")]
    [InlineData("--live /nonexistent/run --checkpoint x.safetensors", "not both")]
    [InlineData("--synthetic --image x.png", "--synthetic draws made-up tensors")]
    public void Bad_arguments_end_with_one_clear_message(string args, string message)
    {
        using var viewer = new ViewerProcess(null, null, ["--screenshot", Path.Combine(Path.GetTempPath(), "never.png"), .. args.Split(' ')]);
        var (code, _, stderr) = viewer.Wait(TimeSpan.FromMinutes(2));
        Assert.True(code == 2, $"exit code {code}, stderr: {stderr}");
        Assert.Contains(message, stderr);
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "never.png")));
    }

    [Fact]
    public void Model_checkpoint_in_the_window_under_xvfb_is_validation_clean()
    {
        Assert.True(ViewerProcess.OnPath("xvfb-run"), $"xvfb-run is not installed; the window test needs Xvfb and GLFW: {InstallHint}.");
        string dir = Directory.CreateTempSubdirectory("vkresnet-viewer-window-").FullName;
        try
        {
            string ckpt = Path.Combine(dir, "checkpoint.safetensors");
            TinyCheckpoint.Write(Device, ckpt, seed: 4);
            // Inference every frame: the graph's submission and the frame lists overlap as much as they can.
            using var viewer = new ViewerProcess(null, "-screen 0 800x600x24", "--live", dir, "--index", "9", "--frames", "12", "--infer-every", "1",
                "--size", "640x400", "--validation");
            var (code, stdout, stderr) = viewer.Wait(TimeSpan.FromMinutes(5));
            Assert.True(code == 0, $"vkresnet-viewer exited with {code}.\nstdout: {stdout}\nstderr: {stderr}");
            Assert.Contains("resnet20 from", stdout);
            Assert.Contains("presented 12 frames", stdout);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void Screenshot_command_renders_a_checkpoint_on_a_dataset_image()
    {
        string dir = Directory.CreateTempSubdirectory("vkresnet-viewer-shot-").FullName;
        try
        {
            string ckpt = Path.Combine(dir, "model.safetensors"), png = Path.Combine(dir, "shot.png");
            TinyCheckpoint.Write(Device, ckpt, seed: 5);
            using var viewer = new ViewerProcess(null, null, "--screenshot", png, "--checkpoint", ckpt, "--index", "3", "--stage", "layer1",
                "--size", "480x300", "--validation");
            var (code, stdout, stderr) = viewer.Wait(TimeSpan.FromMinutes(3));
            Assert.True(code == 0, $"exit code {code}\nstdout: {stdout}\nstderr: {stderr}");
            Assert.Contains("stage 1: layer1", stdout);
            Assert.Contains("cifar-resnet20 from", stdout);
            var image = PngReader.Read(png);
            Assert.Equal((480, 300), (image.Width, image.Height));
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    static int Presented(string stdout) =>
        System.Text.RegularExpressions.Regex.Match(stdout, @"presented (\d+) frames") is { Success: true } m ? int.Parse(m.Groups[1].Value)
            : throw new Xunit.Sdk.XunitException($"no \"presented N frames\" line in: {stdout}");

    [Fact]
    public void Idle_window_presents_nothing_while_an_animated_one_keeps_presenting()
    {
        Assert.True(ViewerProcess.OnPath("xvfb-run"), $"xvfb-run is not installed; the window test needs Xvfb and GLFW: {InstallHint}.");
        const string seconds = "6";
        using var idle = new ViewerProcess(null, "-screen 0 640x400x24", "--quit-after", seconds, "--size", "640x400", "--validation", "--synthetic");
        var (code, stdout, stderr) = idle.Wait(TimeSpan.FromMinutes(3));
        Assert.True(code == 0, $"vkresnet-viewer exited with {code}.\nstdout: {stdout}\nstderr: {stderr}");
        int idleFrames = Presented(stdout);
        // The first frame, and one more if the window manager's first resize arrives after it; nothing in the idle seconds after.
        Assert.InRange(idleFrames, 1, 3);

        using var busy = new ViewerProcess(null, "-screen 0 640x400x24", "--quit-after", seconds, "--size", "640x400", "--animate", "--synthetic");
        var (busyCode, busyOut, busyErr) = busy.Wait(TimeSpan.FromMinutes(3));
        Assert.True(busyCode == 0, $"vkresnet-viewer --animate exited with {busyCode}.\nstdout: {busyOut}\nstderr: {busyErr}");
        Assert.True(Presented(busyOut) > idleFrames + 2, $"animated: {Presented(busyOut)} frames, idle: {idleFrames}: the count does not tell them apart");
    }
}
