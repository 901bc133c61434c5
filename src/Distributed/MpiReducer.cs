using System.Diagnostics;
using System.Runtime.InteropServices;
using VkResNet.Distributed.Native;
using VkResNet.Graph.Training;

namespace VkResNet.Distributed;

/// <summary>
/// <see cref="IGradientReducer"/> over MPI_COMM_WORLD. Every collective is non-blocking (MPI_Iallreduce, MPI_Ibcast,
/// MPI_Iallgather) and completed by MPI_Test polling against a deadline, so a dead or hung rank cannot block the others
/// past the timeout. The communicator returns errors instead of aborting. To name the rank that is missing, every
/// collective is preceded by a token: each rank sends the collective's sequence number to every other rank
/// (MPI_Isend/MPI_Irecv, 8 bytes); when a wait times out, the ranks whose token did not arrive are named. A rank
/// that hangs after sending its token is found by a ping: every waiting or polling rank answers pings, so the timed-out
/// rank pings the others and names those that do not answer within a few seconds.
/// </summary>
public sealed unsafe class MpiReducer : IGradientReducer, IDisposable
{
    const int TokenTag = 7177;
    const int TokenRing = 64;
    const int PingTag = 7178, PongTag = 7179;
    const int AnySource = -1; // Open MPI's MPI_ANY_SOURCE

    readonly Mpi _mpi;
    readonly MpiHandle _comm;
    readonly long* _tokenIn;   // [TokenRing][WorldSize], native: MPI writes into it asynchronously
    readonly long* _tokenOut;  // [TokenRing]
    readonly MpiHandle[] _tokenRecv, _tokenSend; // [TokenRing * WorldSize]
    readonly List<(int Bucket, long Seq, MpiHandle Request)> _reductions = [];
    readonly ulong* _gather;
    readonly long* _ping;      // [0]: the rank that pinged us; [1]: our rank, the answer; [2 + r]: rank r's answer
    MpiHandle _pingRecv;
    readonly List<MpiHandle> _pongSends = [];
    const int HostBytes = 64;
    (long Pid, string Host)[] _peers = []; // every rank's process id and host, exchanged at start
    PosixSignalRegistration? _terminate;
    long _sequence; // collectives begun on this rank
    long _step = -1; // the step the collectives belong to; -1: start-up
    bool _failed, _disposed;

    public int Rank { get; }
    public int WorldSize { get; }
    public int LocalRank { get; }
    public TimeSpan Timeout { get; }
    public string Library { get; }

    MpiReducer(Mpi mpi, TimeSpan timeout, string library, int? localRank)
    {
        _mpi = mpi;
        _comm = mpi.CommWorld;
        Timeout = timeout;
        Library = library;
        mpi.SetErrorsReturn(_comm);
        Rank = mpi.CommRank(_comm);
        WorldSize = mpi.CommSize(_comm);
        LocalRank = localRank ?? Rank;
        _tokenIn = (long*)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)(TokenRing * WorldSize), sizeof(long));
        _tokenOut = (long*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(TokenRing, sizeof(long));
        _gather = (ulong*)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)WorldSize, sizeof(ulong));
        _tokenRecv = new MpiHandle[TokenRing * WorldSize];
        _tokenSend = new MpiHandle[TokenRing * WorldSize];
        _ping = (long*)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)(2 + WorldSize), sizeof(long));
        _ping[1] = Rank;
        _pingRecv = _mpi.Irecv(_ping, sizeof(long), _mpi.Byte, AnySource, PingTag, _comm);
    }

    /// <summary>Answers a rank that asks whether this one is alive (called wherever this rank waits or polls).</summary>
    void AnswerPings()
    {
        try
        {
            while (_mpi.Test(ref _pingRecv))
            {
                _pongSends.Add(_mpi.Isend(_ping + 1, sizeof(long), _mpi.Byte, (int)_ping[0], PongTag, _comm));
                _pingRecv = _mpi.Irecv(_ping, sizeof(long), _mpi.Byte, AnySource, PingTag, _comm);
            }
            for (int i = _pongSends.Count - 1; i >= 0; i--)
            {
                var q = _pongSends[i];
                if (_mpi.Test(ref q)) _pongSends.RemoveAt(i); else _pongSends[i] = q;
            }
        }
        catch (MpiCallException) { } // a peer failed; the collective's own error or timeout reports it
    }

    /// <summary>Pings every other rank and returns those that did not answer within <paramref name="window"/>.</summary>
    List<int> Unresponsive(TimeSpan window)
    {
        var pings = new MpiHandle[WorldSize];
        var pongs = new MpiHandle[WorldSize];
        var silent = new List<int>();
        try
        {
            for (int r = 0; r < WorldSize; r++)
            {
                if (r == Rank) continue;
                _ping[2 + r] = -1;
                pongs[r] = _mpi.Irecv(_ping + 2 + r, sizeof(long), _mpi.Byte, r, PongTag, _comm);
                pings[r] = _mpi.Isend(_ping + 1, sizeof(long), _mpi.Byte, r, PingTag, _comm);
            }
            long clock = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(clock) < window)
            {
                AnswerPings();
                bool all = true;
                for (int r = 0; r < WorldSize; r++)
                    if (r != Rank && !_mpi.Test(ref pongs[r])) all = false;
                if (all) break;
                Thread.Sleep(1);
            }
            for (int r = 0; r < WorldSize; r++)
                if (r != Rank && _ping[2 + r] != r) silent.Add(r);
        }
        catch (MpiCallException)
        {
            for (int r = 0; r < WorldSize; r++)
                if (r != Rank && _ping[2 + r] != r && !silent.Contains(r)) silent.Add(r);
        }
        return silent; // the job ends after this: the outstanding requests die with it
    }

    /// <summary>
    /// Loads libmpi (<see cref="MpiOptions.Library"/>) and joins the job mpirun started. A missing libmpi throws
    /// <see cref="MpiUnavailableException"/>; a process mpirun did not start throws <see cref="MpiNotLaunchedException"/>
    /// before MPI_Init, which would otherwise abort it (unless the embedding program initialised MPI itself).
    /// </summary>
    public static MpiReducer Start(MpiOptions options)
    {
        var mpi = Mpi.Load(options.Library);
        if (!mpi.Initialized)
        {
            if (!options.Launch.UnderMpirun)
                throw new MpiNotLaunchedException("this process was not started by mpirun (OMPI_COMM_WORLD_SIZE is unset), and MPI_Init would abort it");
            mpi.Init();
        }
        var reducer = new MpiReducer(mpi, options.Timeout, options.Library ?? "libmpi.so.40", options.Launch.LocalRank);
        reducer.ExchangePeers();
        return reducer;
    }

    /// <summary>
    /// All-gathers every rank's process id and host, and names, when mpirun ends this rank (SIGTERM: it does so when
    /// another rank died or exited early), the ranks on this host that are gone: mpirun's own text names only the first.
    /// </summary>
    void ExchangePeers()
    {
        int record = sizeof(long) + HostBytes;
        byte* mine = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)record);
        byte* all = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed((nuint)(record * WorldSize));
        try
        {
            *(long*)mine = Environment.ProcessId;
            var host = System.Text.Encoding.UTF8.GetBytes(Environment.MachineName);
            host.AsSpan(0, Math.Min(host.Length, HostBytes)).CopyTo(new Span<byte>(mine + sizeof(long), HostBytes));
            long seq = BeginCollective();
            long clock = Stopwatch.GetTimestamp();
            MpiHandle req;
            try { req = _mpi.Iallgather(mine, record, _mpi.Byte, all, _comm); }
            catch (MpiCallException e) { throw Failure(e, seq); }
            while (!Test(ref req, seq))
                Idle(clock, seq);
            _peers = new (long, string)[WorldSize];
            for (int r = 0; r < WorldSize; r++)
            {
                var name = new ReadOnlySpan<byte>(all + r * record + sizeof(long), HostBytes);
                int end = name.IndexOf((byte)0);
                _peers[r] = (*(long*)(all + r * record), System.Text.Encoding.UTF8.GetString(end < 0 ? name : name[..end]));
            }
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.Free(mine);
            System.Runtime.InteropServices.NativeMemory.Free(all);
        }
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Console.Error.WriteLine($"vkresnet: {TerminationMessage()}"));
    }

    /// <summary>What this rank says when mpirun ends it: the ranks of this host whose process is gone.</summary>
    public string TerminationMessage()
    {
        string host = _peers.Length > Rank ? _peers[Rank].Host : Environment.MachineName;
        var gone = new List<string>();
        int elsewhere = 0;
        for (int r = 0; r < _peers.Length; r++)
        {
            if (r == Rank) continue;
            if (_peers[r].Host != host) { elsewhere++; continue; }
            if (!Runs(_peers[r].Pid)) gone.Add($"rank {r} (pid {_peers[r].Pid})");
        }
        if (gone.Count > 0)
            return $"rank {Rank}: ended by mpirun because {string.Join(", ", gone)} {(gone.Count == 1 ? "is" : "are")} gone (killed, crashed or exited early); the last checkpoint stays as it was.";
        return $"rank {Rank}: ended by mpirun (SIGTERM); every other rank on this host still runs" +
               (elsewhere > 0 ? $", so one of the {elsewhere} on other hosts, or mpirun itself, ended the job (mpirun's message names it)." : ".");
    }

    /// <summary>True while the process exists and is no zombie (Linux /proc).</summary>
    static bool Runs(long pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/stat") is var stat && stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0] != "Z"; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return true; }
    }

    public void Arrive(long step) => _step = step; // formatted only into a message (Describe)

    /// <summary>Posts this collective's token to every other rank and its receives from them.</summary>
    long BeginCollective()
    {
        long seq = _sequence++;
        int slot = (int)(seq % TokenRing);
        long deadline = Stopwatch.GetTimestamp();
        for (int r = 0; r < WorldSize; r++)
        {
            if (r == Rank) continue;
            int i = slot * WorldSize + r;
            // The slot's previous use is TokenRing collectives old: done unless a rank is that far behind.
            while (!_mpi.Test(ref _tokenRecv[i]) | !_mpi.Test(ref _tokenSend[i]))
                Idle(deadline, seq - TokenRing);
        }
        _tokenOut[slot] = seq;
        for (int r = 0; r < WorldSize; r++)
        {
            if (r == Rank) continue;
            int i = slot * WorldSize + r;
            try
            {
                _tokenRecv[i] = _mpi.Irecv(_tokenIn + i, sizeof(long), _mpi.Byte, r, TokenTag, _comm);
                _tokenSend[i] = _mpi.Isend(_tokenOut + slot, sizeof(long), _mpi.Byte, r, TokenTag, _comm);
            }
            catch (MpiCallException e) { throw Failure(e, seq); }
        }
        return seq;
    }

    public void BeginAllReduce(int bucket, ReadOnlySpan<float> send, Span<float> receive)
    {
        if (send.Length != receive.Length) throw new ArgumentException($"All-reduce of {send.Length} floats into {receive.Length}.");
        long seq = BeginCollective();
        fixed (float* s = send)
        fixed (float* r = receive)
        {
            // The caller's buffers are pinned or mapped: the addresses stay valid after these fixed blocks.
            try { _reductions.Add((bucket, seq, _mpi.Iallreduce(s, r, send.Length, _mpi.Float, _mpi.Sum, _comm))); }
            catch (MpiCallException e) { throw Failure(e, seq); }
        }
    }

    public void AllReduce(ReadOnlySpan<float> send, Span<float> receive)
    {
        if (send.Length != receive.Length) throw new ArgumentException($"All-reduce of {send.Length} floats into {receive.Length}.");
        long seq = BeginCollective();
        long started = Stopwatch.GetTimestamp(); // no Stopwatch object: this runs ~2 x (BN layers) times per step
        fixed (float* s = send)
        fixed (float* r = receive)
        {
            MpiHandle req;
            try { req = _mpi.Iallreduce(s, r, send.Length, _mpi.Float, _mpi.Sum, _comm); }
            catch (MpiCallException e) { throw Failure(e, seq); }
            while (!Test(ref req, seq))
                Idle(Stopwatch.GetElapsedTime(started), seq);
        }
    }

    public void Progress()
    {
        AnswerPings();
        for (int i = 0; i < _reductions.Count; i++)
        {
            var (bucket, seq, req) = _reductions[i];
            Test(ref req, seq);
            _reductions[i] = (bucket, seq, req);
        }
    }

    public bool IsReduced(int bucket)
    {
        AnswerPings();
        for (int i = 0; i < _reductions.Count; i++)
        {
            var (b, seq, req) = _reductions[i];
            if (b != bucket) continue;
            bool done = Test(ref req, seq);
            _reductions[i] = (b, seq, req);
            return done;
        }
        return false;
    }

    public double WaitAll()
    {
        long clock = Stopwatch.GetTimestamp();
        for (int i = 0; i < _reductions.Count; i++)
        {
            var (bucket, seq, req) = _reductions[i];
            while (!Test(ref req, seq))
                Idle(clock, seq);
            _reductions[i] = (bucket, seq, req);
        }
        _reductions.Clear();
        return Stopwatch.GetElapsedTime(clock).TotalSeconds;
    }

    public void Broadcast(Span<byte> data, int root = 0)
    {
        long seq = BeginCollective();
        long clock = Stopwatch.GetTimestamp();
        fixed (byte* p = data) // pinned by this block until the wait below ends
        {
            MpiHandle req;
            try { req = _mpi.Ibcast(p, data.Length, _mpi.Byte, root, _comm); }
            catch (MpiCallException e) { throw Failure(e, seq); }
            while (!Test(ref req, seq))
                Idle(clock, seq);
        }
    }

    public void RequireSameOnAllRanks(ulong value, string what)
    {
        long seq = BeginCollective();
        long clock = Stopwatch.GetTimestamp();
        ulong* mine = stackalloc ulong[1];
        *mine = value;
        MpiHandle req;
        try { req = _mpi.Iallgather(mine, sizeof(ulong), _mpi.Byte, _gather, _comm); }
        catch (MpiCallException e) { throw Failure(e, seq); }
        while (!Test(ref req, seq))
            Idle(clock, seq);
        var differ = Enumerable.Range(1, WorldSize - 1).Where(r => _gather[r] != _gather[0]).ToList();
        if (differ.Count > 0)
        {
            _failed = true;
            throw new RankFailureException($"{what} differ between ranks: {string.Join(", ", differ.Select(r => $"rank {r} (checksum {_gather[r]:x16})"))} " +
                                           $"against rank 0 ({_gather[0]:x16}); the replicas drifted apart.");
        }
    }

    public void Abort(int exitCode)
    {
        _failed = true;
        _mpi.Abort(_comm, exitCode);
    }

    bool Test(ref MpiHandle request, long seq)
    {
        try { return _mpi.Test(ref request); }
        catch (MpiCallException e) { throw Failure(e, seq); }
    }

    RankFailureException Failure(MpiCallException e, long seq)
    {
        _failed = true;
        return new RankFailureException($"rank {Rank}: {e.Message} during {Describe(seq)}; {MissingRanks(seq)}.");
    }

    /// <summary>Yields the core (the other ranks may compute on it) and enforces the deadline.</summary>
    // Timestamps, not Stopwatch objects: collectives run several times per step, which allocates nothing.
    void Idle(long startedTimestamp, long seq) => Idle(Stopwatch.GetElapsedTime(startedTimestamp), seq);

    void Idle(TimeSpan waited, long seq)
    {
        AnswerPings();
        if (waited > Timeout)
        {
            _failed = true;
            throw new RankFailureException($"rank {Rank}: {Describe(seq)} did not complete within {Timeout.TotalSeconds:F0} s: {MissingRanks(seq)}.");
        }
        if (waited < TimeSpan.FromMilliseconds(1)) Thread.Yield(); else Thread.Sleep(1);
    }

    string Describe(long seq) => $"collective #{seq + 1} ({(_step >= 0 ? $"step {_step + 1}" : "start-up")})";

    /// <summary>Ranks whose token for collective <paramref name="seq"/> has not arrived: they never reached it.</summary>
    string MissingRanks(long seq)
    {
        if (seq < 0) seq = 0;
        int slot = (int)(seq % TokenRing);
        var missing = new List<int>();
        for (int r = 0; r < WorldSize; r++)
        {
            if (r == Rank) continue;
            int i = slot * WorldSize + r;
            bool arrived;
            try { arrived = _mpi.Test(ref _tokenRecv[i]) && _tokenIn[i] == seq; }
            catch (MpiCallException) { arrived = false; }
            if (!arrived) missing.Add(r);
        }
        if (missing.Count > 0)
            return $"{string.Join(", ", missing.Select(r => $"rank {r}"))} never reached it (dead or hung)";
        var window = TimeSpan.FromSeconds(Math.Clamp(Timeout.TotalSeconds / 4, 1, 10));
        var silent = Unresponsive(window);
        return silent.Count > 0
            ? $"{string.Join(", ", silent.Select(r => $"rank {r}"))} reached it but does not answer (hung, or dead) within {window.TotalSeconds:F0} s"
            : "every rank reached it and answers, yet it did not complete";
    }

    /// <summary>Waits for the last tokens and leaves MPI (after a failure: nothing, the job is being aborted).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _terminate?.Dispose();
        if (!_failed)
        {
            long clock = Stopwatch.GetTimestamp();
            try
            {
                _mpi.Cancel(ref _pingRecv);
                for (int i = 0; i < _tokenRecv.Length; i++)
                    while (!_mpi.Test(ref _tokenRecv[i]) | !_mpi.Test(ref _tokenSend[i]))
                        Idle(clock, _sequence - 1);
                _mpi.FinalizeMpi();
            }
            catch (RankFailureException) { }
        }
        System.Runtime.InteropServices.NativeMemory.Free(_tokenIn);
        System.Runtime.InteropServices.NativeMemory.Free(_tokenOut);
        System.Runtime.InteropServices.NativeMemory.Free(_gather);
        if (!_failed) System.Runtime.InteropServices.NativeMemory.Free(_ping); // else MPI may still write into it
    }
}
