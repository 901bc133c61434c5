using System.CommandLine;
using VkResNet.Cli;
using VkResNet.Cli.Commands;
using VkResNet.Graph.Edge;

// The edge: every switch was read and checked before this body runs (a bad one is one line and exit 2, nothing else printed).
return CliErrors.Run(args, (a, switches) =>
{
    CommonOptions.UseSwitches(switches);
    ConsoleSetup.Configure(switches.NoColor);
    var root = new RootCommand("VkResNet: train and run ResNets on any Vulkan device. --verbose prints the stack trace of a failure.");
    root.Subcommands.Add(DevicesCommand.Create());
    root.Subcommands.Add(SummaryCommand.Create());
    root.Subcommands.Add(TrainCommand.Create());
    root.Subcommands.Add(EvalCommand.Create());
    root.Subcommands.Add(InferCommand.Create());
    root.Subcommands.Add(GraphCommand.Create());
    root.Subcommands.Add(TuneCommand.Create());
    root.Subcommands.Add(ExperimentCommand.Create());
    root.Subcommands.Add(BenchCommand.Create());
    root.Subcommands.Add(HelpCommand.Create(root));
    var parsed = root.Parse(a);
    int code = parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    return parsed.Errors.Count > 0 ? ExitCodes.Usage : code;  // System.CommandLine printed the parse errors
});
