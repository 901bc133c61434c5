using System.Text;
using VkResNet.Graph.Data;
using VkResNet.Graph.IO;
using VkResNet.Runtime;
using VkResNet.Runtime.Native;

namespace VkResNet.Graph.Edge;

/// <summary>
/// The top-level handler of every executable: whatever escapes becomes one line on stderr and a documented
/// exit code (<see cref="ExitCodes"/>). A failure nobody expected is a bug: exit 70 and a hint to re-run with
/// <c>--verbose</c>, which prints the stack trace too. Messages are printed with control bytes escaped, so a
/// name read from a corrupt file cannot write raw bytes to the terminal.
/// </summary>
public static class TopLevel
{
    public const string VerboseOption = "--verbose";

    /// <summary>
    /// Runs <paramref name="body"/> on the arguments without <c>--verbose</c> (the handler owns that option) and the
    /// executable's <see cref="Switches"/>, read from the environment here, once, before any work: a bad switch is one
    /// line and exit <see cref="ExitCodes.Usage"/>, and nothing else is printed.
    /// <paramref name="classify"/> maps a tool's own exception types to (message, code) before the shared rules.
    /// </summary>
    public static int Run(string tool, string[] args, Func<string[], Switches, int> body, Func<Exception, int?>? classify = null, TextWriter? stderr = null)
    {
        bool verbose = args.Contains(VerboseOption);
        string[] rest = args.Where(a => a != VerboseOption).ToArray();
        stderr ??= Console.Error;
        try
        {
            var switches = Switches.FromEnvironment();
            verbose |= switches.Verbose;
            return body(rest, switches);
        }
        catch (Exception e)
        {
            Exception inner = Unwrap(e);
            int code = classify?.Invoke(inner) ?? Classify(inner);
            string message = code == ExitCodes.Internal
                ? $"internal error ({inner.GetType().Name}): {inner.Message} This is a bug; re-run with {VerboseOption} for the stack trace and report it."
                : inner.Message;
            stderr.WriteLine($"{tool}: {Printable(message)}");
            if (verbose) stderr.WriteLine(Printable(e.ToString(), keepNewlines: true));
            return code;
        }
    }

    /// <summary>As above, for a body that takes no switches (they are still read and checked first).</summary>
    public static int Run(string tool, string[] args, Func<string[], int> body, Func<Exception, int?>? classify = null, TextWriter? stderr = null) =>
        Run(tool, args, (rest, _) => body(rest), classify, stderr);

    /// <summary>The exit code for an exception, by kind (see <see cref="ExitCodes"/>).</summary>
    public static int Classify(Exception e) => e switch
    {
        UsageException => ExitCodes.Usage,
        VulkanUnavailableException => ExitCodes.NoDevice,
        OutOfDeviceMemoryException or OutOfMemoryException or InsufficientExecutionStackException => ExitCodes.OutOfMemory,
        DeviceTimeoutException => ExitCodes.DeviceLost,
        VulkanException { Result: VkResult.ErrorDeviceLost } => ExitCodes.DeviceLost,
        WeightFileException { InnerException: FileNotFoundException or DirectoryNotFoundException } => ExitCodes.BadInput,
        WeightFileException { InnerException: IOException or UnauthorizedAccessException } => ExitCodes.IO,
        BadInputException or WeightFileException or DatasetException or InvalidDataException
            or FileNotFoundException or DirectoryNotFoundException => ExitCodes.BadInput,
        IOException or UnauthorizedAccessException => ExitCodes.IO,
        _ => ExitCodes.Internal,
    };

    static Exception Unwrap(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException && e.InnerException != null)
            e = e.InnerException!;
        return e;
    }

    /// <summary>Escapes control and other non-printable characters as \xNN / \uNNNN so errors are safe to print.</summary>
    public static string Printable(string s, bool keepNewlines = false)
    {
        bool Unsafe(char c) => !(keepNewlines && c == '\n') && (char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
        if (!s.Any(Unsafe)) return s;
        var b = new StringBuilder(s.Length + 16);
        foreach (char c in s)
            b.Append(!Unsafe(c) ? c.ToString() : c < 0x100 ? $"\\x{(int)c:x2}" : $"\\u{(int)c:x4}");
        return b.ToString();
    }
}
