using System.Text.Json;
using Xunit;

namespace VkResNet.Cli.Tests;

public sealed class DevicesCommandTests
{
    [Fact]
    public void Devices_lists_lavapipe_with_its_limits()
    {
        var r = CliRunner.Run(null, "devices");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("llvmpipe", r.Stdout);
        Assert.Contains("subgroup size", r.Stdout);
        Assert.Contains("storage buffer range", r.Stdout);
    }

    [Fact]
    public void Devices_json_is_machine_readable()
    {
        var r = CliRunner.Run(null, "devices", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        var first = doc.RootElement.GetProperty("devices")[0];
        Assert.Contains("llvmpipe", first.GetProperty("name").GetString());
        Assert.Equal("Cpu", first.GetProperty("kind").GetString());
        Assert.True(first.GetProperty("subgroupSize").GetInt32() > 0);
    }

    [Fact]
    public void No_loader_is_one_clear_message_and_a_nonzero_exit()
    {
        var r = CliRunner.Run(new Dictionary<string, string> { ["VKRESNET_VULKAN_LIBRARY"] = "/nonexistent/libvulkan.so.1" }, "devices");
        Assert.Equal(VkResNet.Graph.Edge.ExitCodes.NoDevice, r.ExitCode);
        Assert.StartsWith("vkresnet: No Vulkan loader found", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr); // no stack trace
    }

    [Fact]
    public void No_device_is_one_clear_message_and_a_nonzero_exit()
    {
        var r = CliRunner.Run(new Dictionary<string, string> { ["VK_DRIVER_FILES"] = "/nonexistent/icd.json", ["VK_ICD_FILENAMES"] = "/nonexistent/icd.json" }, "devices");
        Assert.Equal(VkResNet.Graph.Edge.ExitCodes.NoDevice, r.ExitCode);
        Assert.StartsWith("vkresnet: No Vulkan device found", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }
}
