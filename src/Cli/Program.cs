using System.CommandLine;
using VkResNet.Cli;
using VkResNet.Cli.Commands;
using VkResNet.Graph.Edge;

ConsoleSetup.Configure();
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
return CliErrors.Run(args, a =>
{
    var parsed = root.Parse(a);
    int code = parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    return parsed.Errors.Count > 0 ? ExitCodes.Usage : code;  // System.CommandLine printed the parse errors
});
