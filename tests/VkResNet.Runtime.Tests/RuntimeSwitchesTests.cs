using VkResNet.Runtime.Native;
using Xunit;

namespace VkResNet.Runtime.Tests;

/// <summary>The runtime's switch reader: what each variable becomes in the options, and one clear message for a bad value.</summary>
public sealed class RuntimeSwitchesTests
{
    static RuntimeSwitches Read(params (string Name, string Value)[] vars)
    {
        var env = vars.ToDictionary(v => v.Name, v => v.Value);
        return RuntimeSwitches.FromEnvironment(k => env.GetValueOrDefault(k));
    }

    [Fact]
    public void Nothing_set_is_no_switch_at_all()
    {
        Assert.Equal(RuntimeSwitches.None, Read());
        Assert.Null(Read().VulkanLibrary);
    }

    [Fact]
    public void The_cache_folder_is_VKRESNET_CACHE_DIR_else_under_XDG_CACHE_HOME()
    {
        Assert.Equal(Path.Combine("/xdg", "vkresnet"), Read(("XDG_CACHE_HOME", "/xdg")).CacheDirectory);
        Assert.Equal("/mine", Read(("XDG_CACHE_HOME", "/xdg"), ("VKRESNET_CACHE_DIR", "/mine")).CacheDirectory);
        Assert.Equal("/mine", Read(("VKRESNET_CACHE_DIR", "/mine")).Apply(new DeviceOptions()).PipelineCacheDirectory);
        Assert.Equal("/caller", Read(("VKRESNET_CACHE_DIR", "/mine")).Apply(new DeviceOptions { PipelineCacheDirectory = "/caller" }).PipelineCacheDirectory);
    }

    [Fact]
    public void The_loader_path_reaches_the_context_options_unless_the_caller_named_one()
    {
        var s = Read(("VKRESNET_VULKAN_LIBRARY", "/opt/libvulkan.so.1"));
        Assert.Equal("/opt/libvulkan.so.1", s.VulkanLibrary);
        Assert.Equal("/opt/libvulkan.so.1", s.Apply(new ContextOptions()).VulkanLibrary);
        Assert.Equal("/app/libvulkan.so.1", s.Apply(new ContextOptions { VulkanLibrary = "/app/libvulkan.so.1" }).VulkanLibrary);
        Assert.Equal(new[] { "/opt/libvulkan.so.1" }, VkLoader.CandidateNames("/opt/libvulkan.so.1"));
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("strict", true)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData("", false)]
    public void Validation_takes_on_off_values(string value, bool on)
    {
        var s = Read(("VKRESNET_VALIDATION", value));
        Assert.Equal(on, s.Validation);
        Assert.Equal(on ? true : null, s.Apply(new ContextOptions()).Validation);
    }

    [Theory]
    [InlineData("VKRESNET_VALIDATION", "on", "VKRESNET_VALIDATION=on is not an on/off switch")]
    [InlineData("VKRESNET_KERNEL_VARIANT", "fpga", "VKRESNET_KERNEL_VARIANT=fpga is not a kernel variant; use cpu or gpu.")]
    [InlineData("VKRESNET_TIMEOUT_S", "soon", "VKRESNET_TIMEOUT_S=soon is not a number of seconds")]
    [InlineData("VKRESNET_TIMEOUT_S", "-5", "VKRESNET_TIMEOUT_S=-5 is not a number of seconds")]
    public void A_bad_value_names_the_variable_and_what_is_allowed(string name, string value, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => Read((name, value)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void The_fence_timeout_and_variant_reach_the_device_options()
    {
        var o = Read(("VKRESNET_TIMEOUT_S", "30"), ("VKRESNET_KERNEL_VARIANT", "GPU")).Apply(new DeviceOptions());
        Assert.Equal(TimeSpan.FromSeconds(30), o.FenceTimeout);
        Assert.Equal(KernelVariant.Gpu, o.Variant);
    }

    [Fact]
    public void A_loader_path_that_does_not_open_is_the_no_loader_message()
    {
        // Whether or not this process opened the loader already, a named library that does not exist is refused the same way.
        var e = Assert.Throws<VulkanUnavailableException>(() => VulkanContext.Create(new ContextOptions { VulkanLibrary = "/nonexistent/libvulkan.so.1" }));
        Assert.Contains("No Vulkan loader found (tried /nonexistent/libvulkan.so.1)", e.Message);
    }
}
