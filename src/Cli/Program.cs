using System.CommandLine;
using VkResNet.Cli;
using VkResNet.Cli.Commands;

var root = new RootCommand("VkResNet: train and run ResNets on any Vulkan device.");
root.Subcommands.Add(DevicesCommand.Create());
return CliErrors.Run(() => root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
