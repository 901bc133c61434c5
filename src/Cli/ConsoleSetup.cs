using Spectre.Console;

namespace VkResNet.Cli;

/// <summary>
/// How the CLI writes to the terminal. Spectre.Console 0.57 already writes no escape codes when output is
/// redirected, but still wraps lines at 80 columns there, so redirected output gets a width no line reaches;
/// <c>NO_COLOR</c> (https://no-color.org) turns off every escape code on a terminal
/// too, bold and cursor movement included, since Spectre still emits bold under it.
/// </summary>
public static class ConsoleSetup
{
    /// <summary>Width of redirected output: wide enough that no line is ever wrapped (Spectre would wrap at 80).</summary>
    public const int RedirectedWidth = 4096;

    /// <param name="noColor">NO_COLOR is set (<see cref="Graph.Edge.Switches.NoColor"/>, read at the edge)</param>
    public static void Configure(bool noColor)
    {
        if (noColor)
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Out = new AnsiConsoleOutput(Console.Out),
            });
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = RedirectedWidth;
    }

    /// <summary>True where a live progress bar can redraw in place: a terminal that takes escape codes.</summary>
    public static bool LiveDisplay =>
        AnsiConsole.Profile.Capabilities.Interactive && AnsiConsole.Profile.Capabilities.Ansi && !Console.IsOutputRedirected;
}
