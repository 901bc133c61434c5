namespace VkResNet.Importer.SafeTensors;

/// <summary>
/// The seam to VkResNet's weight file code: the importer reads and writes safetensors only through this, so the
/// lead can swap <see cref="SafeTensorsCodec"/> for an adapter over src/Graph/IO (SafeTensorsFile/SafeTensorsWriter)
/// once that is in main. Writing must be atomic: on any error no file appears at <c>path</c>.
/// </summary>
public interface IWeightFileFormat
{
    /// <summary>Every tensor of the file, floats widened to float32, in the file's data order.</summary>
    WeightSet Read(string path);

    /// <summary>Writes every tensor as F32 plus <see cref="WeightSet.Metadata"/>, atomically (temp file + rename).</summary>
    void Write(string path, WeightSet weights);
}
