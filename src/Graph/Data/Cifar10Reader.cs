namespace VkResNet.Graph.Data;

/// <summary>
/// Reads the CIFAR-10 binary version: data_batch_1..5.bin (train) or test_batch.bin, each a run of
/// 3073-byte records (1 label byte, then 1024 R, 1024 G, 1024 B bytes: already CHW),
/// and batches.meta.txt for the class names (one per line) when present.
/// </summary>
public static class Cifar10Reader
{
    public const int Side = 32;
    public const int RecordBytes = 1 + 3 * Side * Side;

    public static Dataset Load(string folder, bool train)
    {
        if (!Directory.Exists(folder)) throw new DatasetException($"{folder}: CIFAR-10 folder does not exist");
        string[] files = train
            ? Enumerable.Range(1, 5).Select(i => Path.Combine(folder, $"data_batch_{i}.bin")).ToArray()
            : [Path.Combine(folder, "test_batch.bin")];
        IReadOnlyList<string> names = ReadClassNames(folder);

        var chunks = new List<byte[]>();
        long records = 0;
        foreach (string f in files)
        {
            if (!File.Exists(f)) throw DatasetException.For(f, "CIFAR-10 batch file is missing");
            byte[] raw = File.ReadAllBytes(f);
            if (raw.Length == 0 || raw.Length % RecordBytes != 0)
                throw DatasetException.For(f, $"{raw.Length} bytes is not a whole number of {RecordBytes}-byte CIFAR-10 records");
            chunks.Add(raw);
            records += raw.Length / RecordBytes;
        }

        int imageBytes = RecordBytes - 1;
        var pixels = new byte[records * imageBytes];
        var labels = new int[records];
        int n = 0;
        for (int c = 0; c < chunks.Count; c++)
        {
            byte[] raw = chunks[c];
            for (int r = 0; r < raw.Length / RecordBytes; r++, n++)
            {
                int label = raw[r * RecordBytes];
                if (label >= names.Count)
                    throw DatasetException.For(files[c], $"label {label} of record {r} is outside 0..{names.Count - 1}");
                labels[n] = label;
                Buffer.BlockCopy(raw, r * RecordBytes + 1, pixels, n * imageBytes, imageBytes);
            }
        }
        return new Dataset(train ? "cifar10/train" : "cifar10/test", 3, Side, Side, pixels, labels, names);
    }

    private static IReadOnlyList<string> ReadClassNames(string folder)
    {
        string meta = Path.Combine(folder, "batches.meta.txt");
        if (!File.Exists(meta)) return Dataset.Cifar10ClassNames;
        string[] names = File.ReadAllLines(meta).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (names.Length < 2) throw DatasetException.For(meta, $"expected one class name per line, found {names.Length}");
        return names;
    }
}
