using System.CommandLine;
using VkResNet.Cli;
using VkResNet.Cli.Commands;

ConsoleSetup.Configure();
var root = new RootCommand("VkResNet: train and run ResNets on any Vulkan device.");
root.Subcommands.Add(DevicesCommand.Create());
root.Subcommands.Add(SummaryCommand.Create());
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(InferCommand.Create());
root.Subcommands.Add(GraphCommand.Create());
root.Subcommands.Add(ExperimentCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(HelpCommand.Create(root));
return CliErrors.Run(() => root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
