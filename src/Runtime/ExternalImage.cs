using VkResNet.Runtime.Native;

namespace VkResNet.Runtime;

/// <summary>
/// What an app states about a VkImage it owns. Vulkan has no query for an image's format, usage or extent, so
/// the app passes the values it created the image with; VkResNet checks them before it makes a view (and the
/// validation layer catches a mismatch). Only mip 0, array layer 0 of a 2-D colour image is read.
/// </summary>
public readonly record struct ExternalImage(VkImage Handle, VkFormat Format, VkImageUsage Usage, int Width, int Height)
{
    public override string ToString() => $"image 0x{Handle.Handle:x} {Format} {Width}x{Height} usage {Usage}";
}
