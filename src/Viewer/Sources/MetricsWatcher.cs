using System.Diagnostics;
using VkResNet.Graph.Reporting;

namespace VkResNet.Viewer.Sources;

/// <summary>
/// Follows a run's metrics.csv as the trainer appends to it: at most once per interval it compares the file's
/// length with the one read, and rereads it when it grew (a few KB: rows every N steps). A half-written last row
/// is left for the next look. A missing file is "no rows yet".
/// </summary>
public sealed class MetricsWatcher(string path, TimeSpan interval)
{
    readonly Stopwatch _clock = Stopwatch.StartNew();
    TimeSpan _next = TimeSpan.Zero;
    long _length = -1;

    public string Path { get; } = path;
    public IReadOnlyList<MetricsRow> Rows { get; private set; } = [];

    /// <summary>True when new rows were read since the last call.</summary>
    public bool Poll()
    {
        if (_clock.Elapsed < _next) return false;
        _next = _clock.Elapsed + interval;
        long length = File.Exists(Path) ? new FileInfo(Path).Length : -1;
        if (length == _length) return false;
        _length = length;
        if (length <= 0) return false;
        try
        {
            int before = Rows.Count;
            Rows = MetricsCsv.Read(Path);
            return Rows.Count != before;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            _length = -1; // being replaced: look again next interval
            return false;
        }
    }
}
