using System.CommandLine;
using VkResNet.Graph.Models;
using VkResNet.Importer;
using VkResNet.Importer.ResNet;
using VkResNet.Importer.SafeTensors;
using VkResNet.Importer.Verify;

var source = new Argument<string>("source") { Description = "torch.save .pth/.pt (zip), ONNX .onnx, or .safetensors with torchvision names" };
var output = new Option<string>("--output", "-o") { Description = "Output .safetensors (written atomically: complete or not at all)", Required = true };
var arch = new Option<string?>("--arch") { Description = $"Target architecture ({TorchvisionLayout.Names}); detected from the source when omitted" };
var verify = new Option<string?>("--verify") { Description = "Reference .safetensors with 'input' [N,3,H,W] and 'logits' [N,classes]: run the imported model and compare" };
var bn = new Option<string>("--bn") { Description = "BN layout in the output: 'separate' (torchvision's, default) or 'conv-bias' (folded, inference only)", DefaultValueFactory = _ => "separate" };
var root = new RootCommand("vkresnet-import: bring torchvision and ONNX ResNets into VkResNet as safetensors. Pickles are read by an allow-list; nothing in them runs.");
root.Arguments.Add(source);
root.Options.Add(output);
root.Options.Add(arch);
root.Options.Add(verify);
root.Options.Add(bn);
var runtime = VkResNet.Runtime.RuntimeSwitches.None; // set at the edge below, before the command runs
root.SetAction(r =>
{
    var layout = r.GetValue(bn) switch
    {
        "separate" => BatchNormLayout.Separate,
        "conv-bias" => BatchNormLayout.ConvBias,
        var other => throw new VkResNet.Graph.Edge.UsageException($"--bn must be 'separate' or 'conv-bias', not '{other}'"),
    };
    var options = new ImportOptions(r.GetValue(source)!, r.GetValue(output)!, r.GetValue(arch) is { } a ? ParseArch(a) : null, r.GetValue(verify), layout);
    // Only --verify opens a Vulkan device (VKRESNET_DEVICE picks it); importing alone never touches the GPU.
    if (options.VerifyReference is null)
    {
        ImportPipeline.Run(options, new GraphWeightFiles(), null, Console.Out);
        return 0;
    }
    using var context = VkResNet.Runtime.VulkanContext.Create(runtime.Apply(new VkResNet.Runtime.ContextOptions()));
    using var device = context.CreateDevice(runtime.Device, runtime.Apply(new VkResNet.Runtime.DeviceOptions()));
    Console.Out.WriteLine($"verify on {device.Info.Line}");
    ImportPipeline.Run(options, new GraphWeightFiles(), new VkResNetGpuRunner(device), Console.Out);
    return 0;
});

// One message and a documented exit code (VkResNet.Graph.Edge.ExitCodes) for every failure; --verbose adds the trace.
// The tool's edge: TopLevel read and checked every switch before the body runs.
return VkResNet.Graph.Edge.TopLevel.Run("vkresnet-import: error", args, (a, switches) =>
{
    runtime = switches.Runtime;
    var parsed = root.Parse(a);
    int code = parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    return parsed.Errors.Count > 0 ? VkResNet.Graph.Edge.ExitCodes.Usage : code;
}, e => e switch
{
    ImportException { InnerException: IOException and not FileNotFoundException and not DirectoryNotFoundException } => VkResNet.Graph.Edge.ExitCodes.IO,
    ImportException => VkResNet.Graph.Edge.ExitCodes.BadInput,
    _ => null,
});

static ResNetSpec ParseArch(string name)
{
    try { return TorchvisionLayout.Parse(name); }
    catch (ImportException e) { throw new VkResNet.Graph.Edge.UsageException($"--arch: {e.Message}"); }
}
