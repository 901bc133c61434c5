namespace VkResNet.Importer.SafeTensors;

/// <summary>
/// The seam to VkResNet's weight files: the importer reads safetensors and writes its output only through this
/// (<see cref="GraphWeightFiles"/> over src/Graph/IO). Writing must be atomic: on any error no file appears at <c>path</c>.
/// </summary>
public interface IWeightFileFormat
{
    /// <summary>Every tensor of a safetensors file, floats widened to float32, in the file's data order.</summary>
    WeightSet Read(string path);

    /// <summary>Writes the weights as a VkResNet checkpoint of model <paramref name="modelName"/> (F32), atomically.</summary>
    void Write(string path, string modelName, WeightSet weights);
}
