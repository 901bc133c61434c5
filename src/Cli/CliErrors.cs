using VkResNet.Runtime;

namespace VkResNet.Cli;

/// <summary>
/// Turns the failures a user can cause or meet (no Vulkan, bad files, out of memory) into one
/// clear line on stderr and a non-zero exit code; anything else is a bug and keeps its stack trace.
/// </summary>
public static class CliErrors
{
    public const int Failure = 1;
    public const int NoVulkan = 2;
    public const int OutOfMemory = 3;

    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (Describe(e) is (string message, int code))
        {
            Console.Error.WriteLine($"vkresnet: {message}");
            return code;
        }
    }

    static (string, int)? Describe(Exception e) => e switch
    {
        VulkanUnavailableException => (e.Message, NoVulkan),
        OutOfDeviceMemoryException => (e.Message, OutOfMemory),
        DeviceTimeoutException or ValidationException or VulkanException => (e.Message, Failure),
        FileNotFoundException or DirectoryNotFoundException or InvalidDataException or UnauthorizedAccessException => (e.Message, Failure),
        UserInputException => (e.Message, Failure),
        Graph.Data.DatasetException or Graph.IO.WeightFileException or Graph.Execution.NodeCheckException => (e.Message, Failure),
        _ => null,
    };
}

/// <summary>A mistake in what the user asked for, reported as one line.</summary>
public sealed class UserInputException(string message) : Exception(message);
