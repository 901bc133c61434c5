using Spectre.Console;

namespace VkResNet.Cli;

/// <summary>
/// How the CLI writes to the terminal. Spectre.Console 0.57 already writes plain text, unwrapped, when
/// output is redirected; <c>NO_COLOR</c> (https://no-color.org) turns off every escape code on a terminal
/// too, bold and cursor movement included, since Spectre still emits bold under it.
/// </summary>
public static class ConsoleSetup
{
    public static bool NoColor => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));

    public static void Configure()
    {
        if (!NoColor) return;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(Console.Out),
        });
    }

    /// <summary>True where a live progress bar can redraw in place: a terminal that takes escape codes.</summary>
    public static bool LiveDisplay =>
        AnsiConsole.Profile.Capabilities.Interactive && AnsiConsole.Profile.Capabilities.Ansi && !Console.IsOutputRedirected;
}
