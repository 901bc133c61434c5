using System.Diagnostics;
using VkResNet.Graph.IO;

namespace VkResNet.Viewer.Sources;

/// <summary>
/// Follows a checkpoint file that a training run rewrites: at most once per interval it compares the
/// file's write time with the one in use, and when it changed reads the file on a worker thread, so
/// the viewer's frame loop never waits on the disk. <see cref="Poll"/> hands the checkpoint over once
/// it is read. A file that cannot be read yet (being replaced, truncated) is tried again next interval.
/// </summary>
public sealed class CheckpointWatcher
{
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly TimeSpan _interval;
    readonly TextWriter _log;
    DateTime _inUse, _reading;
    TimeSpan _next;
    Task<Checkpoint>? _load;

    public string Path { get; }

    /// <param name="inUse">The write time of the checkpoint already loaded (changes after it trigger a reload).</param>
    public CheckpointWatcher(string path, DateTime inUse, TimeSpan interval, TextWriter log)
    {
        Path = path;
        _inUse = inUse;
        _interval = interval;
        _log = log;
        _next = interval;
    }

    /// <summary>Never blocks. Returns a checkpoint newer than the one in use once it has been read, else null.</summary>
    public Checkpoint? Poll()
    {
        if (_load != null)
        {
            if (!_load.IsCompleted) return null;
            var done = _load;
            _load = null;
            if (done.IsCompletedSuccessfully)
            {
                _inUse = _reading;
                return done.Result;
            }
            // Most likely the trainer is replacing the file right now; the stamp in use is unchanged, so the next poll retries.
            _log.WriteLine($"vkresnet-viewer: cannot read {Path} yet ({done.Exception?.GetBaseException().Message}); trying again");
            return null;
        }
        if (_clock.Elapsed < _next) return null;
        _next = _clock.Elapsed + _interval;
        var stamp = File.GetLastWriteTimeUtc(Path); // a missing file reads as 1601-01-01: not newer, nothing to do
        if (!File.Exists(Path) || stamp == _inUse) return null;
        _reading = stamp;
        _load = Task.Run(() => Checkpoint.Load(Path));
        return null;
    }
}
