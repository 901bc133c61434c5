using System.Text.RegularExpressions;
using VkResNet.Graph.Models;

namespace VkResNet.Importer.ResNet;

/// <summary>
/// Maps a torchvision-named tensor set onto VkResNet's parameter table: strips a DataParallel "module." prefix,
/// drops num_batches_tracked, detects the architecture when none is given, and lists every missing, unexpected or
/// wrongly shaped tensor in one error. The result holds exactly the expected parameters, in state_dict order.
/// </summary>
public static partial class StateDictMapper
{
    public static (ResNetSpec Arch, WeightSet Weights) Map(WeightSet source, ResNetSpec? arch, string sourceName)
    {
        var tensors = StripModulePrefix(source.Tensors);
        var kept = tensors.Where(t => !t.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        arch ??= Detect(kept, sourceName);

        long numClasses = 1000;
        var fcWeight = kept.FirstOrDefault(t => t.Name == "fc.weight");
        if (fcWeight is { Shape.Length: 2 } && fcWeight.Shape[0] > 0) numClasses = fcWeight.Shape[0];

        var expected = arch.Parameters(numClasses);
        var byName = new Dictionary<string, WeightTensor>(StringComparer.Ordinal);
        foreach (var t in kept) byName[t.Name] = t;
        var problems = new List<string>();
        var result = new WeightSet();
        foreach (string note in source.Notes) result.Notes.Add(note);
        foreach (var (k, v) in source.Metadata) result.Metadata[k] = v;
        foreach (ExpectedParameter e in expected)
        {
            if (!byName.Remove(e.Name, out WeightTensor? t)) { problems.Add($"missing: {e.Name} {WeightTensor.FormatShape(e.Shape)}"); continue; }
            if (!t.Shape.SequenceEqual(e.Shape)) { problems.Add($"wrong shape: {e.Name} is {t.ShapeText}, {arch.Name} needs {WeightTensor.FormatShape(e.Shape)}"); continue; }
            if (t.IsInteger) { problems.Add($"wrong type: {e.Name} is {t.SourceType}, a floating-point tensor is needed"); continue; }
            result.Add(t);
        }
        foreach (var t in kept.Where(t => byName.ContainsKey(t.Name))) problems.Add($"unexpected: {t.Name} {t.ShapeText}");
        if (problems.Count > 0)
        {
            const int shown = 40;
            string list = string.Join("\n  ", problems.Take(shown)) + (problems.Count > shown ? $"\n  ... and {problems.Count - shown} more" : "");
            throw new ImportException($"{sourceName} does not match {arch.Name} ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):\n  {list}");
        }
        result.Metadata["vkresnet.arch"] = arch.Name;
        result.Metadata["vkresnet.num_classes"] = numClasses.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (arch, result);
    }

    private static List<WeightTensor> StripModulePrefix(IReadOnlyList<WeightTensor> tensors)
    {
        const string prefix = "module.";
        if (tensors.Count == 0 || !tensors.All(t => t.Name.StartsWith(prefix, StringComparison.Ordinal))) return tensors.ToList();
        return tensors.Select(t => t with { Name = t.Name[prefix.Length..] }).ToList();
    }

    /// <summary>The architecture a torchvision state dict's block names describe.</summary>
    public static ResNetSpec Detect(IReadOnlyList<WeightTensor> tensors, string sourceName)
    {
        var counts = new int[4];
        bool bottleneck = false;
        foreach (var t in tensors)
        {
            Match m = BlockName().Match(t.Name);
            if (!m.Success) continue;
            int stage = int.Parse(m.Groups[1].Value) - 1, index = int.Parse(m.Groups[2].Value);
            if (stage is < 0 or > 3) continue;
            counts[stage] = Math.Max(counts[stage], index + 1);
            if (m.Groups[3].Value == "conv3") bottleneck = true;
        }
        BlockKind kind = bottleneck ? BlockKind.Bottleneck : BlockKind.Basic;
        return TorchvisionLayout.Find(kind, counts) ?? throw new ImportException(
            $"{sourceName} is not a torchvision ResNet this importer knows: found {kind} blocks [{string.Join(", ", counts)}] under layer1..layer4 " +
            $"({tensors.Count} tensors, e.g. {string.Join(", ", tensors.Take(3).Select(t => t.Name))}); known: {TorchvisionLayout.Names}; pass --arch to see every mismatch");
    }

    [GeneratedRegex(@"^layer(\d+)\.(\d+)\.(conv\d|bn\d|downsample)\.")]
    private static partial Regex BlockName();
}
