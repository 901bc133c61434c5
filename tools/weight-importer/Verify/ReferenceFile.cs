using VkResNet.Importer.SafeTensors;

namespace VkResNet.Importer.Verify;

/// <summary>
/// A --verify reference: a safetensors file with "input" [N, 3, H, W] (NCHW float32, already normalised the way the
/// model expects) and "logits" [N, classes] that the source framework computed for that input in eval mode.
/// tests/reference/make_import_fixtures.py writes them as resnet{18,50}_ref.safetensors.
/// </summary>
public sealed record ReferenceFile(long[] InputShape, float[] Input, long[] LogitsShape, float[] Logits)
{
    public static ReferenceFile Read(string path, IWeightFileFormat format)
    {
        WeightSet s = format.Read(path);
        if (!s.TryGet("input", out var input) || !s.TryGet("logits", out var logits))
            throw new ImportException($"{path}: a --verify reference needs tensors 'input' and 'logits'; it has {string.Join(", ", s.Tensors.Select(t => t.Name))}");
        if (input.Shape.Length != 4 || input.Shape[1] != 3)
            throw new ImportException($"{path}: 'input' has shape {input.ShapeText}; expected [N, 3, H, W]");
        if (logits.Shape.Length != 2 || logits.Shape[0] != input.Shape[0])
            throw new ImportException($"{path}: 'logits' has shape {logits.ShapeText}; expected [{input.Shape[0]}, classes]");
        return new ReferenceFile(input.Shape, input.Data, logits.Shape, logits.Data);
    }
}
