using System.Globalization;
using System.Text;

namespace VkResNet.Graph.Reporting;

/// <summary>
/// Appends <see cref="MetricsRow"/>s to a CSV file and flushes after each, so a crash loses at most the row being
/// written and another process (the viewer's curves panel, a tail -f) always sees whole rows. An existing file is
/// appended to when its header matches; NaN values are written as empty fields. Invariant culture throughout.
/// </summary>
public sealed class MetricsCsv : IDisposable
{
    public const string Header = "step,epoch,phase,loss,accuracy,top5_accuracy,lr,images_per_s,seconds";
    const int Fields = 9;
    private readonly StreamWriter _writer;

    public MetricsCsv(string path, bool append = true)
    {
        Path = path;
        string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        bool hasHeader = false;
        if (append && File.Exists(path) && new FileInfo(path).Length > 0)
        {
            string first = File.ReadLines(path).First();
            if (first != Header) throw new InvalidDataException($"{path}: existing file has header '{first}', expected '{Header}' (a log from another version: move it away)");
            hasHeader = true;
        }
        _writer = new StreamWriter(new FileStream(path, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        if (!hasHeader)
        {
            _writer.Write(Header + "\n");
            _writer.Flush();
        }
    }

    public string Path { get; }

    public void Append(in MetricsRow m)
    {
        var sb = new StringBuilder(128);
        sb.Append(m.Step.ToString(CultureInfo.InvariantCulture)).Append(',')
          .Append(m.Epoch.ToString(CultureInfo.InvariantCulture)).Append(',').Append(m.Phase).Append(',')
          .Append(Format(m.Loss)).Append(',').Append(Format(m.Accuracy)).Append(',').Append(Format(m.Top5Accuracy)).Append(',')
          .Append(Format(m.LearningRate)).Append(',').Append(Format(m.ImagesPerSecond)).Append(',')
          .Append(Format(m.Seconds)).Append('\n');
        _writer.Write(sb.ToString());
        _writer.Flush();
    }

    private static string Format(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Reads a metrics file back. A last line without its newline is a row still being written: skipped.</summary>
    public static IReadOnlyList<MetricsRow> Read(string path)
    {
        string text;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var reader = new StreamReader(fs)) text = reader.ReadToEnd();
        var rows = new List<MetricsRow>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length - 1; i++) // lines[^1] follows the last '\n': empty or partial
        {
            string line = lines[i];
            if (i == 0)
            {
                if (line != Header) throw new InvalidDataException($"{path}: header '{line}' is not a metrics header ('{Header}')");
                continue;
            }
            if (line.Length == 0) continue;
            string[] f = line.Split(',');
            if (f.Length != Fields) throw new InvalidDataException($"{path}:{i + 1}: expected {Fields} fields, found {f.Length}");
            try
            {
                rows.Add(new MetricsRow(long.Parse(f[0], CultureInfo.InvariantCulture), int.Parse(f[1], CultureInfo.InvariantCulture), f[2],
                    Parse(f[3]), Parse(f[4]), Parse(f[5]), Parse(f[6]), Parse(f[7]), Parse(f[8])));
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{path}:{i + 1}: {e.Message}", e);
            }
        }
        return rows;
    }

    /// <summary>
    /// Keeps the header and the whole rows of epochs 1..<paramref name="lastEpoch"/> (rewritten atomically): a run resumed from
    /// its epoch-N checkpoint drops the rows, or the half-written row, that a killed process appended after that checkpoint.
    /// </summary>
    public static void KeepEpochs(string path, int lastEpoch)
    {
        if (!File.Exists(path)) return;
        var lines = File.ReadAllText(path).Split('\n');
        if (lines[0] != Header) return;  // not ours: the constructor names the problem
        var kept = new StringBuilder(Header + "\n");
        for (int i = 1; i < lines.Length - 1; i++)  // the last piece has no newline: empty, or a row cut short
            if (lines[i].Split(',') is { Length: 9 } f && int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out int epoch) && epoch <= lastEpoch)
                kept.Append(lines[i]).Append('\n');
        IO.AtomicFile.WriteAllText(path, kept.ToString());
    }

    private static double Parse(string s) => s.Length == 0 ? double.NaN : double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    public void Dispose() => _writer.Dispose();
}
