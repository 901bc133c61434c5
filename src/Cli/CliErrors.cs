using VkResNet.Graph.Edge;

namespace VkResNet.Cli;

/// <summary>
/// The vkresnet end of <see cref="TopLevel"/>: every failure becomes one line on stderr and an exit code of
/// <see cref="ExitCodes"/> (usage 2, no device 3, out of memory 4, bad input 5, I/O 6, device hung or lost 7,
/// internal 70); <c>--verbose</c> adds the stack trace.
/// </summary>
public static class CliErrors
{
    public static int Run(string[] args, Func<string[], Switches, int> body) => TopLevel.Run("vkresnet", args, body, e => e switch
    {
        Graph.Training.DivergedException => ExitCodes.Usage,  // the recipe (usually --lr) made the loss non-finite
        _ => null,
    });
}

/// <summary>A mistake in what the user asked for, reported as one line (exit 2).</summary>
public sealed class UserInputException(string message) : UsageException(message);
