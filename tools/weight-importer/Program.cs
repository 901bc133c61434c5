using System.CommandLine;
using VkResNet.Importer;
using VkResNet.Importer.ResNet;
using VkResNet.Importer.SafeTensors;
using VkResNet.Importer.Verify;

var source = new Argument<string>("source") { Description = "torch.save .pth/.pt (zip), ONNX .onnx, or .safetensors with torchvision names" };
var output = new Option<string>("--output", "-o") { Description = "Output .safetensors (written atomically: complete or not at all)", Required = true };
var arch = new Option<string?>("--arch") { Description = $"Target architecture ({ResNetArch.Names}); detected from the source when omitted" };
var verify = new Option<string?>("--verify") { Description = "Reference .safetensors with 'input' [N,3,H,W] and 'logits' [N,classes]: run the imported model and compare" };
var bn = new Option<string>("--bn") { Description = "BN layout in the output: 'separate' (torchvision's, default) or 'conv-bias' (folded, inference only)", DefaultValueFactory = _ => "separate" };
var root = new RootCommand("vkresnet-import: bring torchvision and ONNX ResNets into VkResNet as safetensors. Pickles are read by an allow-list; nothing in them runs.");
root.Arguments.Add(source);
root.Options.Add(output);
root.Options.Add(arch);
root.Options.Add(verify);
root.Options.Add(bn);
root.SetAction(r =>
{
    var layout = r.GetValue(bn) switch
    {
        "separate" => BatchNormLayout.Separate,
        "conv-bias" => BatchNormLayout.ConvBias,
        var other => throw new ImportException($"--bn must be 'separate' or 'conv-bias', not '{other}'"),
    };
    var options = new ImportOptions(r.GetValue(source)!, r.GetValue(output)!, r.GetValue(arch) is { } a ? ResNetArch.Parse(a) : null, r.GetValue(verify), layout);
    // The --verify hook: an IReferenceModelRunner on VkResNet's inference path (tests/VkResNet.Importer.Tests/VkResNetGpuRunner.cs).
    // null (the importer opens no device) makes --verify refuse with a clear error and write nothing.
    IReferenceModelRunner? runner = null;
    ImportPipeline.Run(options, new GraphWeightFiles(), runner, Console.Out);
    return 0;
});

try
{
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (e is ImportException or IOException or UnauthorizedAccessException or OutOfMemoryException)
{
    Console.Error.WriteLine($"vkresnet-import: error: {e.Message}");
    return 1;
}
