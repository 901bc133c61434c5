using VkResNet.Graph.Edge;
using Xunit;

namespace VkResNet.Cli.Tests;

/// <summary>The edge's one reader of every switch (Graph.Edge.Switches, holding the runtime's): values into options, a bad one a usage error.</summary>
public sealed class SwitchesTests
{
    static Switches Read(params (string Name, string Value)[] vars)
    {
        var env = vars.ToDictionary(v => v.Name, v => v.Value);
        return Switches.FromEnvironment(k => env.GetValueOrDefault(k));
    }

    [Fact]
    public void Every_switch_reaches_its_option()
    {
        var s = Read(("VKRESNET_FULL_BARRIERS", "1"), ("VKRESNET_CHECK", "true"), ("VKRESNET_WINOGRAD", "0"), ("VKRESNET_TUNE", "cached"),
            ("VKRESNET_GLFW_LIBRARY", "/opt/libglfw.so.3"), ("VKRESNET_MPI_LIBRARY", "/opt/libmpi.so.40"), ("NO_COLOR", "1"),
            ("VKRESNET_DEVICE", "llvmpipe"), ("VKRESNET_VULKAN_LIBRARY", "/opt/libvulkan.so.1"));
        var compile = s.Compile();
        Assert.True(compile.FullBarriers);
        Assert.True(compile.Check);
        Assert.Equal(Graph.Tuning.TuneMode.Cached, compile.Tuning.Mode);
        Assert.False(compile.Tuning.Winograd);
        Assert.Equal("/opt/libglfw.so.3", s.GlfwLibrary);
        Assert.Equal("/opt/libmpi.so.40", s.MpiLibrary);
        Assert.True(s.NoColor);
        Assert.Equal("llvmpipe", s.Runtime.Device);
        Assert.Equal("/opt/libvulkan.so.1", s.Runtime.Apply(new Runtime.ContextOptions()).VulkanLibrary);
    }

    [Fact]
    public void Nothing_set_is_the_defaults()
    {
        var s = Read();
        Assert.False(s.FullBarriers || s.Check || s.Verbose || s.NoColor);
        Assert.Null(s.Winograd);
        Assert.Null(s.GlfwLibrary);
        Assert.Null(s.MpiLibrary);
        Assert.Equal(Graph.Tuning.TuneMode.Full, s.Compile().Tuning.Mode);
    }

    [Theory]
    [InlineData("VKRESNET_TUNE", "fast", "VKRESNET_TUNE=fast is not a tuning mode")]
    [InlineData("VKRESNET_TUNE_BUDGET_S", "0", "VKRESNET_TUNE_BUDGET_S=0 is not a number of seconds")]
    [InlineData("VKRESNET_FULL_BARRIERS", "2", "VKRESNET_FULL_BARRIERS=2 is not an on/off switch")]
    [InlineData("VKRESNET_VERBOSE", "loud", "VKRESNET_VERBOSE=loud is not an on/off switch")]
    [InlineData("VKRESNET_KERNEL_VARIANT", "fpga", "VKRESNET_KERNEL_VARIANT=fpga is not a kernel variant")]
    public void A_bad_switch_is_a_usage_error_when_read_not_at_first_use(string name, string value, string message)
    {
        var e = Assert.Throws<UsageException>(() => Read((name, value)));
        Assert.Contains(message, e.Message);
    }
}
