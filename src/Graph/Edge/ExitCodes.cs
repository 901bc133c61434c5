namespace VkResNet.Graph.Edge;

/// <summary>
/// The exit codes every VkResNet executable uses (vkresnet, vkresnet-import, vkresnet-viewer, the realtime host sample);
/// README.md lists them. One definition, so a script can tell "fix your command line" from "the disk is full".
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>A bad command line: unknown option, value out of range, options that contradict each other.</summary>
    public const int Usage = 2;
    /// <summary>No Vulkan loader, no device, or none that VkResNet can use.</summary>
    public const int NoDevice = 3;
    /// <summary>Out of device or host memory.</summary>
    public const int OutOfMemory = 4;
    /// <summary>An input file (weights, checkpoint, data set, image) that is missing, corrupt or does not fit the job.</summary>
    public const int BadInput = 5;
    /// <summary>Reading or writing failed: permissions, a read-only or full file system.</summary>
    public const int IO = 6;
    /// <summary>The device hung (a fence wait ran past VKRESNET_TIMEOUT_S) or was lost.</summary>
    public const int DeviceLost = 7;
    /// <summary>A peer rank of a distributed run died or hung (no collective completed within --rank-timeout).</summary>
    public const int PeerLost = 8;
    /// <summary>A bug: an exception nobody expected (EX_SOFTWARE of sysexits.h).</summary>
    public const int Internal = 70;
}

/// <summary>A mistake in what the user asked for (an option, a value, a combination); exit <see cref="ExitCodes.Usage"/>.</summary>
public class UsageException(string message) : Exception(message)
{
    /// <summary>The one message style for a value out of range: the option, the value, what is allowed.</summary>
    public static UsageException OutOfRange(string option, object? value, string allowed) =>
        new($"{option} {Format(value)} is out of range: {allowed}.");

    static string Format(object? v) => v switch
    {
        null => "(none)",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        float f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}

/// <summary>An input file that is corrupt or does not fit the job; exit <see cref="ExitCodes.BadInput"/>.</summary>
public class BadInputException(string message) : Exception(message);
