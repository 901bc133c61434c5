using System.Runtime.InteropServices;

namespace VkResNet.Distributed.Native;

/// <summary>An MPI handle (Open MPI: the address of a predefined object, or a pointer the library returned).</summary>
public readonly record struct MpiHandle(nint Value)
{
    public bool IsNull => Value == 0;
}

/// <summary>MPI is not installed or could not start; the message says how to install it.</summary>
public class MpiUnavailableException(string message) : Exception(message);

/// <summary>MPI is installed, but this process was not started by mpirun: MPI_Init would abort it with Open MPI's banner.</summary>
public sealed class MpiNotLaunchedException(string message) : MpiUnavailableException(message);

/// <summary>
/// The subset of the MPI C API that data-parallel training calls, bound to Open MPI's <c>libmpi.so.40</c> through
/// <see cref="NativeLibrary"/> (loaded only when asked, so plain training never touches MPI). In Open MPI the
/// predefined handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are the addresses of exported objects.
/// </summary>
public sealed unsafe class Mpi
{
    public const int Success = 0;
    public const string InstallHint = "install Open MPI with: sudo apt-get install openmpi-bin libopenmpi-dev (then start the ranks with mpirun -np N vkresnet train --distributed ...)";

    readonly nint _lib;
    public MpiHandle CommWorld { get; }
    public MpiHandle Float { get; }
    public MpiHandle Byte { get; }
    public MpiHandle Sum { get; }
    public MpiHandle ErrorsReturn { get; }
    /// <summary>MPI_REQUEST_NULL, what MPI_Test leaves in a request it completed.</summary>
    public MpiHandle RequestNull { get; }

    readonly delegate* unmanaged<int*, byte***, int> _init;
    readonly delegate* unmanaged<int*, int> _initialized;
    readonly delegate* unmanaged<int> _finalize;
    readonly delegate* unmanaged<nint, int*, int> _commRank;
    readonly delegate* unmanaged<nint, int*, int> _commSize;
    readonly delegate* unmanaged<nint, nint, int> _commSetErrhandler;
    readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int> _iallreduce;
    readonly delegate* unmanaged<void*, int, nint, int, nint, nint*, int> _ibcast;
    readonly delegate* unmanaged<void*, int, nint, void*, int, nint, nint, nint*, int> _iallgather;
    readonly delegate* unmanaged<void*, int, nint, int, int, nint, nint*, int> _isend;
    readonly delegate* unmanaged<void*, int, nint, int, int, nint, nint*, int> _irecv;
    readonly delegate* unmanaged<nint*, int*, void*, int> _test;
    readonly delegate* unmanaged<nint*, int> _cancel;
    readonly delegate* unmanaged<nint*, int> _requestFree;
    readonly delegate* unmanaged<nint, int, int> _abort;
    readonly delegate* unmanaged<int, byte*, int*, int> _errorString;

    Mpi(nint lib)
    {
        _lib = lib;
        CommWorld = new(Export("ompi_mpi_comm_world"));
        Float = new(Export("ompi_mpi_float"));
        Byte = new(Export("ompi_mpi_byte"));
        Sum = new(Export("ompi_mpi_op_sum"));
        ErrorsReturn = new(Export("ompi_mpi_errors_return"));
        RequestNull = new(Export("ompi_request_null"));
        _init = (delegate* unmanaged<int*, byte***, int>)Export("MPI_Init");
        _initialized = (delegate* unmanaged<int*, int>)Export("MPI_Initialized");
        _finalize = (delegate* unmanaged<int>)Export("MPI_Finalize");
        _commRank = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_rank");
        _commSize = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_size");
        _commSetErrhandler = (delegate* unmanaged<nint, nint, int>)Export("MPI_Comm_set_errhandler");
        _iallreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int>)Export("MPI_Iallreduce");
        _ibcast = (delegate* unmanaged<void*, int, nint, int, nint, nint*, int>)Export("MPI_Ibcast");
        _iallgather = (delegate* unmanaged<void*, int, nint, void*, int, nint, nint, nint*, int>)Export("MPI_Iallgather");
        _isend = (delegate* unmanaged<void*, int, nint, int, int, nint, nint*, int>)Export("MPI_Isend");
        _irecv = (delegate* unmanaged<void*, int, nint, int, int, nint, nint*, int>)Export("MPI_Irecv");
        _test = (delegate* unmanaged<nint*, int*, void*, int>)Export("MPI_Test");
        _cancel = (delegate* unmanaged<nint*, int>)Export("MPI_Cancel");
        _requestFree = (delegate* unmanaged<nint*, int>)Export("MPI_Request_free");
        _abort = (delegate* unmanaged<nint, int, int>)Export("MPI_Abort");
        _errorString = (delegate* unmanaged<int, byte*, int*, int>)Export("MPI_Error_string");
    }

    nint Export(string name) => NativeLibrary.TryGetExport(_lib, name, out nint p) ? p
        : throw new MpiUnavailableException($"libmpi has no '{name}': VkResNet needs Open MPI 4.x; {InstallHint}.");

    /// <summary>Opens libmpi (<paramref name="path"/>, else libmpi.so.40 or libmpi.so); throws <see cref="MpiUnavailableException"/> saying how to install it.</summary>
    public static Mpi Load(string? path = null)
    {
        string[] names = path != null ? [path] : ["libmpi.so.40", "libmpi.so"];
        foreach (var name in names)
        {
            // Open MPI opens its own plugins, which resolve symbols of libmpi: load it globally (RTLD_NOW | RTLD_GLOBAL).
            nint lib = DlOpen(name);
            if (lib == 0 && !NativeLibrary.TryLoad(name, out lib)) continue;
            return new Mpi(lib);
        }
        throw new MpiUnavailableException($"--distributed needs MPI, and {string.Join(" / ", names)} was not found: {InstallHint}.");
    }

    [DllImport("libc.so.6", EntryPoint = "dlopen")]
    static extern nint dlopen(string file, int mode);

    static nint DlOpen(string name)
    {
        try { return dlopen(name, 0x2 | 0x100); }
        catch (DllNotFoundException) { return 0; }
        catch (EntryPointNotFoundException) { return 0; }
    }

    public bool Initialized { get { int flag; _initialized(&flag); return flag != 0; } }
    public void Init() => Check(_init(null, null), "MPI_Init");
    public void FinalizeMpi() => Check(_finalize(), "MPI_Finalize");
    public int CommRank(MpiHandle comm) { int r; Check(_commRank(comm.Value, &r), "MPI_Comm_rank"); return r; }
    public int CommSize(MpiHandle comm) { int r; Check(_commSize(comm.Value, &r), "MPI_Comm_size"); return r; }
    public void SetErrorsReturn(MpiHandle comm) => Check(_commSetErrhandler(comm.Value, ErrorsReturn.Value), "MPI_Comm_set_errhandler");

    public MpiHandle Iallreduce(void* send, void* receive, int count, MpiHandle type, MpiHandle op, MpiHandle comm)
    {
        nint req; Check(_iallreduce(send, receive, count, type.Value, op.Value, comm.Value, &req), "MPI_Iallreduce"); return new(req);
    }

    public MpiHandle Ibcast(void* buffer, int count, MpiHandle type, int root, MpiHandle comm)
    {
        nint req; Check(_ibcast(buffer, count, type.Value, root, comm.Value, &req), "MPI_Ibcast"); return new(req);
    }

    public MpiHandle Iallgather(void* send, int count, MpiHandle type, void* receive, MpiHandle comm)
    {
        nint req; Check(_iallgather(send, count, type.Value, receive, count, type.Value, comm.Value, &req), "MPI_Iallgather"); return new(req);
    }

    public MpiHandle Isend(void* buffer, int count, MpiHandle type, int dest, int tag, MpiHandle comm)
    {
        nint req; Check(_isend(buffer, count, type.Value, dest, tag, comm.Value, &req), "MPI_Isend"); return new(req);
    }

    public MpiHandle Irecv(void* buffer, int count, MpiHandle type, int source, int tag, MpiHandle comm)
    {
        nint req; Check(_irecv(buffer, count, type.Value, source, tag, comm.Value, &req), "MPI_Irecv"); return new(req);
    }

    /// <summary>MPI_Test: true (and the request freed, set null) once it completed. A failed operation throws.</summary>
    public bool Test(ref MpiHandle request)
    {
        if (request.IsNull || request == RequestNull) { request = default; return true; }
        nint r = request.Value;
        int flag;
        int rc = _test(&r, &flag, null);
        request = flag != 0 ? default : new(r);
        Check(rc, "MPI_Test");
        return flag != 0;
    }

    public void Cancel(ref MpiHandle request)
    {
        if (request.IsNull || request == RequestNull) { request = default; return; }
        nint r = request.Value;
        _cancel(&r);
        _requestFree(&r);
        request = default;
    }

    public void Abort(MpiHandle comm, int code) => _abort(comm.Value, code);

    public string ErrorString(int code)
    {
        byte* buffer = stackalloc byte[512];
        int length = 0;
        return _errorString(code, buffer, &length) == Success ? Marshal.PtrToStringAnsi((nint)buffer, length) : $"MPI error {code}";
    }

    void Check(int rc, string call)
    {
        if (rc != Success) throw new MpiCallException(call, rc, ErrorString(rc));
    }
}

/// <summary>An MPI call returned an error (the communicator returns errors instead of aborting).</summary>
public sealed class MpiCallException(string call, int code, string text) : Exception($"{call} failed: {text} (MPI error {code})")
{
    public int Code { get; } = code;
}
