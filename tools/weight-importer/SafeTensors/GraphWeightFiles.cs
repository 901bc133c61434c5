using VkResNet.Graph.IO;

namespace VkResNet.Importer.SafeTensors;

/// <summary>
/// Reads safetensors with <see cref="SafeTensorsFile"/> and writes the import as a <see cref="Checkpoint"/>
/// ("vkresnet-checkpoint-v2", with its checksum, model name, epoch 0) so <c>vkresnet infer/eval -c OUT</c> and
/// <c>InferenceModel.Load</c> take it as it is. Their errors become <see cref="ImportException"/>s.
/// </summary>
public sealed class GraphWeightFiles : IWeightFileFormat
{
    public WeightSet Read(string path)
    {
        SafeTensorsFile file;
        try { file = SafeTensorsFile.Read(path); }
        catch (WeightFileException e) { throw new ImportException(e.Message, e); }
        var weights = new WeightSet();
        foreach (var (k, v) in file.Metadata) weights.Metadata[k] = v;
        foreach (SafeTensorInfo t in file.Tensors)
        {
            bool integer = t.DType is TensorDType.I64 or TensorDType.I32;
            float[] data = integer ? Array.ConvertAll(file.ReadInt64(t.Name), v => (float)v) : file.ReadFloat32(t.Name);
            weights.Add(new WeightTensor(t.Name, t.Shape, data, t.DType switch
            {
                TensorDType.F16 => SourceDType.F16,
                TensorDType.BF16 => SourceDType.BF16,
                TensorDType.I64 => SourceDType.I64,
                TensorDType.I32 => SourceDType.I32,
                _ => SourceDType.F32,
            }));
        }
        return weights;
    }

    public void Write(string path, string modelName, WeightSet weights)
    {
        var parameters = weights.Tensors.Select(t => new NamedTensor(t.Name, Array.ConvertAll(t.Shape, d => checked((int)d)), t.Data)).ToList();
        // A VkResNet checkpoint used as the source brings its own format/model/epoch keys; Save sets those itself.
        var metadata = weights.Metadata.Where(kv => !Checkpoint.Reserved.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var checkpoint = new Checkpoint { ModelName = modelName, Parameters = parameters, Metadata = metadata };
        try { checkpoint.Save(path); }
        catch (WeightFileException e) { throw new ImportException(e.Message, e); }
    }
}
