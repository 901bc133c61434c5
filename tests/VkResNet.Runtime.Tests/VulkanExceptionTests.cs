using VkResNet.Runtime.Native;
using Xunit;

namespace VkResNet.Runtime.Tests;

/// <summary>Failures name the result as Vulkan's C API and its docs spell it, not as Silk.NET's enum member.</summary>
public class VulkanExceptionTests
{
    [Theory]
    [InlineData(VkResult.ErrorDeviceLost, "VK_ERROR_DEVICE_LOST")]
    [InlineData(VkResult.ErrorOutOfDateKhr, "VK_ERROR_OUT_OF_DATE_KHR")]
    [InlineData(VkResult.ErrorSurfaceLostKhr, "VK_ERROR_SURFACE_LOST_KHR")]
    [InlineData(VkResult.Timeout, "VK_TIMEOUT")]
    [InlineData((VkResult)(-123456), "VkResult -123456")]
    public void Result_names_are_the_C_names(VkResult result, string name) => Assert.Equal(name, Vk.Name(result));

    [Fact]
    public void Check_throws_with_the_call_and_the_result_name()
    {
        var e = Assert.Throws<VulkanException>(() => Vk.Check(VkResult.ErrorInitializationFailed, "vkCreateThing"));
        Assert.Equal("vkCreateThing failed with VK_ERROR_INITIALIZATION_FAILED", e.Message);
        var oom = Assert.Throws<OutOfDeviceMemoryException>(() => Vk.Check(VkResult.ErrorOutOfDeviceMemory, "vkAllocateMemory"));
        Assert.Contains("VK_ERROR_OUT_OF_DEVICE_MEMORY", oom.Message);
        Assert.Equal(VkResult.Success, Vk.CheckAllow(VkResult.Success, "vkQueueSubmit"));
    }
}
