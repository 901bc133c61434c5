using VkResNet.Graph.IO;
using VkResNet.Importer;
using VkResNet.Importer.Onnx;
using VkResNet.Importer.SafeTensors;
using VkResNet.Importer.Torch;

namespace VkResNet.Fuzz;

/// <summary>
/// One fuzz target: a reader fed one input, and the one exception type its documentation promises for bad input.
/// Any other exception is a finding. Readers that take a path get the input written to a scratch file first.
/// </summary>
public sealed record FuzzTarget(string Name, string What, Type Documented, Action<byte[], string> Read);

public static class FuzzTargets
{
    public static readonly FuzzTarget[] All =
    [
        new("pickle", "importer: RestrictedUnpickler (a torch.save data.pkl)", typeof(ImportException),
            (bytes, _) => RestrictedUnpickler.Load(bytes, "fuzz (data.pkl)")),
        new("onnx", "importer: OnnxReader (an ONNX ModelProto)", typeof(ImportException),
            (bytes, scratch) => { File.WriteAllBytes(scratch, bytes); OnnxReader.Read(scratch); }),
        new("safetensors", "importer: GraphWeightFiles.Read (safetensors through SafeTensorsFile)", typeof(ImportException),
            (bytes, scratch) => { File.WriteAllBytes(scratch, bytes); new GraphWeightFiles().Read(scratch); }),
        new("checkpoint", "graph: Checkpoint.Load (a VkResNet training checkpoint)", typeof(WeightFileException),
            (bytes, scratch) => { File.WriteAllBytes(scratch, bytes); Checkpoint.Load(scratch); }),
    ];

    public static FuzzTarget Find(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"unknown fuzz target '{name}' (targets: {string.Join(", ", All.Select(t => t.Name))})");

    /// <summary>Runs the target on one input: (null, null) when it read it, (documented, null) when it refused it as
    /// documented, (null, other) for a finding.</summary>
    public static (Exception? Documented, Exception? Finding) Check(FuzzTarget target, byte[] input, string scratch)
    {
        try { target.Read(input, scratch); return (null, null); }
        catch (Exception e) when (target.Documented.IsInstanceOfType(e)) { return (e, null); }
        catch (Exception e) { return (null, e); }
    }
}
