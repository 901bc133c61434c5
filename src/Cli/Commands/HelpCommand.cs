using System.CommandLine;
using System.CommandLine.Help;

namespace VkResNet.Cli.Commands;

/// <summary><c>vkresnet help [command...]</c>: the same text as <c>vkresnet [command...] --help</c>.</summary>
public static class HelpCommand
{
    public static Command Create(RootCommand root)
    {
        var path = new Argument<string[]>("command") { Description = "The command (and subcommand) to describe, e.g. train or bench compare", Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("help", "Show help for vkresnet or one of its commands");
        cmd.Arguments.Add(path);
        cmd.SetAction(r =>
        {
            string[] words = r.GetValue(path) ?? [];
            Command target = root;
            foreach (string w in words)
                target = target.Subcommands.FirstOrDefault(c => c.Name == w || c.Aliases.Contains(w))
                    ?? throw new UserInputException($"help: no command \"{string.Join(' ', words)}\"; commands: {string.Join(", ", target.Subcommands.Select(c => c.Name))}.");
            return root.Parse([.. words, "--help"]).Invoke();
        });
        return cmd;
    }
}
