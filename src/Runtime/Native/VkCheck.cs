using System.Runtime.CompilerServices;

namespace VkResNet.Runtime.Native;

/// <summary>Every VkResult goes through <see cref="Check"/>: a failure throws with the call and the result name.</summary>
public static class Vk
{
    public static void Check(VkResult result, [CallerArgumentExpression(nameof(result))] string call = "")
    {
        if (result < 0) throw VulkanException.For(result, call);
    }

    /// <summary>Success and the non-error codes the caller expects (e.g. VK_TIMEOUT, VK_INCOMPLETE) pass through.</summary>
    public static VkResult CheckAllow(VkResult result, [CallerArgumentExpression(nameof(result))] string call = "")
    {
        if (result < 0) throw VulkanException.For(result, call);
        return result;
    }
}
