using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

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

    /// <summary>The C name of a result (Silk's ErrorOutOfDateKhr is VK_ERROR_OUT_OF_DATE_KHR), as drivers and docs spell it.</summary>
    public static string Name(VkResult result) =>
        Enum.IsDefined(result) ? "VK_" + Regex.Replace(result.ToString(), "(?<=[a-z0-9])(?=[A-Z])", "_").ToUpperInvariant() : $"VkResult {(int)result}";
}
