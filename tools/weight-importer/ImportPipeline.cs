using System.Globalization;
using VkResNet.Graph.Models;
using VkResNet.Importer.Onnx;
using VkResNet.Importer.ResNet;
using VkResNet.Importer.SafeTensors;
using VkResNet.Importer.Torch;
using VkResNet.Importer.Verify;

namespace VkResNet.Importer;

/// <summary>How convs and BN are laid out in the output: torchvision's separate BN, or BN folded into a conv bias.</summary>
public enum BatchNormLayout { Separate, ConvBias }

public sealed record ImportOptions(string Source, string Output, ResNetSpec? Arch = null, string? VerifyReference = null,
                                   BatchNormLayout Layout = BatchNormLayout.Separate, double VerifyRtol = LogitsComparison.DefaultRtol);

public sealed record ImportResult(ResNetSpec Arch, SourceFormat Format, WeightSet Weights, long ParameterCount, LogitsComparison? Verify);

/// <summary>
/// read (by format) -> map onto the architecture's parameter table -> optional BN folding -> optional --verify
/// -> atomic write. Any failure throws <see cref="ImportException"/> before the output file exists.
/// </summary>
public static class ImportPipeline
{
    public static ImportResult Run(ImportOptions o, IWeightFileFormat format, IReferenceModelRunner? runner, TextWriter log)
    {
        if (!File.Exists(o.Source)) throw new ImportException($"{o.Source}: no such file");
        if (Path.GetFullPath(o.Source) == Path.GetFullPath(o.Output)) throw new ImportException($"{o.Output}: the output would overwrite the source");
        ReferenceFile? reference = null;
        if (o.VerifyReference != null)
        {
            if (runner == null)
                throw new ImportException("--verify needs VkResNet's inference path, which this build of vkresnet-import does not have yet; nothing was written");
            reference = ReferenceFile.Read(o.VerifyReference, format);
        }

        SourceFormat kind = SourceFormatDetector.Detect(o.Source);
        WeightSet source = kind switch
        {
            SourceFormat.TorchZip => TorchCheckpointReader.Read(o.Source),
            SourceFormat.Onnx => OnnxResNetImporter.Read(o.Source),
            _ => format.Read(o.Source),
        };
        var (arch, weights) = StateDictMapper.Map(source, o.Arch, o.Source);
        long parameters = CountParameters(weights);
        if (o.Layout == BatchNormLayout.ConvBias) weights = StateDictFolding.Fold(arch, weights);
        else weights.Metadata["vkresnet.batchnorm"] = "separate";
        weights.Metadata["vkresnet.imported_from"] = Path.GetFileName(o.Source);

        LogitsComparison? check = null;
        if (reference != null)
        {
            float[] logits = runner!.RunLogits(arch, weights, reference.Input, reference.InputShape);
            check = LogitsComparison.Compare(reference.Logits, logits, reference.LogitsShape, o.VerifyRtol);
            check.Print(log, reference.LogitsShape);
            if (!check.Passed) throw new ImportException($"--verify: the imported {arch.Name} does not reproduce {o.VerifyReference}'s logits; nothing was written");
        }
        format.Write(o.Output, arch.Name, weights);
        foreach (string note in weights.Notes) log.WriteLine($"note: {note}");
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"imported {arch.Name} ({weights.Count} tensors, {parameters:N0} parameters, {weights.Metadata["vkresnet.num_classes"]} classes) from {o.Source} ({kind}) -> {o.Output}"));
        return new ImportResult(arch, kind, weights, parameters, check);
    }

    /// <summary>Learnable parameters as torchvision counts them: everything but the BN running statistics.</summary>
    public static long CountParameters(WeightSet w) =>
        w.Tensors.Where(t => !t.Name.EndsWith(".running_mean", StringComparison.Ordinal) && !t.Name.EndsWith(".running_var", StringComparison.Ordinal))
                 .Sum(t => t.ElementCount);
}
