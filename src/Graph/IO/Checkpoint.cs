using System.Globalization;

namespace VkResNet.Graph.IO;

/// <summary>A named float32 tensor with its shape (PyTorch layouts, see contracts.md).</summary>
public sealed record NamedTensor(string Name, int[] Shape, float[] Data)
{
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);
}

/// <summary>
/// A training checkpoint: model parameters (and buffers such as BN running statistics), optimizer state
/// tensors named "optim.&lt;kind&gt;.&lt;param&gt;" (e.g. "optim.momentum.conv1.weight"), and string metadata,
/// stored as one safetensors file written atomically. Reserved metadata keys: format, model, epoch, step, seed, checksum
/// (<see cref="CheckpointChecksum"/>: verified on load; a checkpoint written before it existed loads with a note).
/// </summary>
public sealed class Checkpoint
{
    public const string OptimizerPrefix = "optim.";
    /// <summary>v2 checkpoints carry a checksum and must; v1 ones (written before) load unverified, with a note.</summary>
    public const string Format = "vkresnet-checkpoint-v2", LegacyFormat = "vkresnet-checkpoint-v1";
    /// <summary>Metadata keys the checkpoint sets itself.</summary>
    public static readonly string[] Reserved = ["format", "model", "epoch", "step", "seed", CheckpointChecksum.Key];

    public required string ModelName { get; init; }
    public int Epoch { get; init; }
    public long Step { get; init; }
    public long Seed { get; init; }
    public IReadOnlyList<NamedTensor> Parameters { get; init; } = [];
    /// <summary>Every name starts with <see cref="OptimizerPrefix"/>.</summary>
    public IReadOnlyList<NamedTensor> OptimizerState { get; init; } = [];
    /// <summary>Anything else worth keeping (lr schedule, augmentation, git commit...), as strings.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    /// <summary>What the loader wants the user to know (e.g. an old checkpoint without a checksum).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>This checkpoint with one more note.</summary>
    public Checkpoint WithNote(string note) => new()
    {
        ModelName = ModelName, Epoch = Epoch, Step = Step, Seed = Seed, Parameters = Parameters, OptimizerState = OptimizerState,
        Metadata = Metadata, Notes = [.. Notes, note],
    };

    public static string MomentumName(string parameter) => $"{OptimizerPrefix}momentum.{parameter}";

    public NamedTensor? FindParameter(string name) => Parameters.FirstOrDefault(p => p.Name == name);
    public NamedTensor? FindOptimizerState(string name) => OptimizerState.FirstOrDefault(p => p.Name == name);

    public void Save(string path)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in Metadata)
        {
            if (Reserved.Contains(k)) throw WeightFileException.For(path, $"metadata key '{k}' is reserved for the checkpoint itself");
            meta[k] = v;
        }
        meta["format"] = Format;
        meta["model"] = ModelName;
        meta["epoch"] = Epoch.ToString(CultureInfo.InvariantCulture);
        meta["step"] = Step.ToString(CultureInfo.InvariantCulture);
        meta["seed"] = Seed.ToString(CultureInfo.InvariantCulture);

        var entries = new List<SafeTensorEntry>(Parameters.Count + OptimizerState.Count);
        foreach (NamedTensor p in Parameters)
        {
            if (p.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)) throw WeightFileException.For(path, $"parameter '{p.Name}' must not use the optimizer prefix '{OptimizerPrefix}'");
            entries.Add(ToEntry(p, path));
        }
        foreach (NamedTensor s in OptimizerState)
        {
            if (!s.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)) throw WeightFileException.For(path, $"optimizer state '{s.Name}' must start with '{OptimizerPrefix}'");
            entries.Add(ToEntry(s, path));
        }
        meta[CheckpointChecksum.Key] = CheckpointChecksum.Compute(entries.Select(e => (e.Name, e.DType, e.Shape, e.Data)), meta);
        SafeTensorsWriter.Write(path, entries, meta);
    }

    private static SafeTensorEntry ToEntry(NamedTensor t, string path)
    {
        if (t.ElementCount != t.Data.Length)
            throw WeightFileException.For(path, $"tensor '{t.Name}' has shape [{string.Join(", ", t.Shape)}] but {t.Data.Length} values");
        return SafeTensorEntry.Float32(t.Name, Array.ConvertAll(t.Shape, d => (long)d), t.Data);
    }

    public static Checkpoint Load(string path)
    {
        SafeTensorsFile file = SafeTensorsFile.Read(path);
        IReadOnlyDictionary<string, string> m = file.Metadata;
        if (!m.TryGetValue("format", out string? format) || format is not (Format or LegacyFormat))
            throw WeightFileException.For(path, $"is not a VkResNet checkpoint (metadata 'format' is {(format is null ? "missing" : $"'{format}'")}, expected '{Format}')");
        var notes = new List<string>();
        if (m.TryGetValue(CheckpointChecksum.Key, out string? stored))
        {
            string actual = CheckpointChecksum.Compute(file.Tensors.Select(t => (t.Name, t.DType, t.Shape, file.GetMemory(t.Name))), m);
            if (actual != stored)
                throw WeightFileException.For(path, $"is corrupt: its checksum is {stored} but its contents hash to {actual} (a changed byte in the tensors or metadata)");
        }
        else if (format == Format)
            throw WeightFileException.For(path, $"is corrupt: a {Format} checkpoint must hold a '{CheckpointChecksum.Key}' and this one does not");
        else notes.Add($"{path} has no checksum (a {LegacyFormat} checkpoint, written before checkpoints had one); it is loaded unverified.");
        var parameters = new List<NamedTensor>();
        var optimizer = new List<NamedTensor>();
        foreach (SafeTensorInfo t in file.Tensors)
        {
            var shape = new int[t.Shape.Length];
            for (int i = 0; i < shape.Length; i++)
                shape[i] = t.Shape[i] <= int.MaxValue ? (int)t.Shape[i] : throw WeightFileException.For(path, $"tensor '{t.Name}' dimension {t.Shape[i]} is too large");
            var nt = new NamedTensor(t.Name, shape, file.ReadFloat32(t.Name));
            (t.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal) ? optimizer : parameters).Add(nt);
        }
        return new Checkpoint
        {
            ModelName = Required(m, "model", path),
            Epoch = checked((int)RequiredInteger(m, "epoch", path)),
            Step = RequiredInteger(m, "step", path),
            Seed = RequiredInteger(m, "seed", path),
            Parameters = parameters,
            OptimizerState = optimizer,
            Metadata = m.Where(kv => !Reserved.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            Notes = notes,
        };
    }

    private static long RequiredInteger(IReadOnlyDictionary<string, string> m, string key, string path) =>
        long.TryParse(Required(m, key, path), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) && (key == "seed" || v >= 0) && (key != "epoch" || v <= int.MaxValue)
            ? v : throw WeightFileException.For(path, $"checkpoint metadata '{key}' = '{m[key]}' is not {(key == "seed" ? "an integer" : "a non-negative integer")}");

    private static string Required(IReadOnlyDictionary<string, string> m, string key, string path) =>
        m.TryGetValue(key, out string? v) ? v : throw WeightFileException.For(path, $"checkpoint metadata lacks '{key}'");
}
