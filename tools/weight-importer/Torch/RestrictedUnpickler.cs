using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace VkResNet.Importer.Torch;

/// <summary>
/// A pickle reader for what torch.save writes for a state dict, and nothing more. It interprets the opcodes of
/// protocols 2-5 that plain data uses; GLOBAL/STACK_GLOBAL resolve only an allow-list (OrderedDict, the torch
/// rebuild functions, the storage types) to inert markers, and REDUCE/BUILD only apply those markers. No type is
/// ever looked up by name and no code runs: any other global or opcode ends the read with an error naming it.
/// </summary>
public sealed class RestrictedUnpickler
{
    private static readonly Dictionary<string, PickleGlobal> Allowed = new(StringComparer.Ordinal)
    {
        ["collections.OrderedDict"] = new(PickleGlobalKind.OrderedDict, "collections.OrderedDict"),
        ["torch._utils._rebuild_tensor_v2"] = new(PickleGlobalKind.RebuildTensorV2, "torch._utils._rebuild_tensor_v2"),
        ["torch._utils._rebuild_parameter"] = new(PickleGlobalKind.RebuildParameter, "torch._utils._rebuild_parameter"),
        ["torch.FloatStorage"] = new(PickleGlobalKind.Storage, "torch.FloatStorage", StorageDType.Float),
        ["torch.HalfStorage"] = new(PickleGlobalKind.Storage, "torch.HalfStorage", StorageDType.Half),
        ["torch.BFloat16Storage"] = new(PickleGlobalKind.Storage, "torch.BFloat16Storage", StorageDType.BFloat16),
        ["torch.DoubleStorage"] = new(PickleGlobalKind.Storage, "torch.DoubleStorage", StorageDType.Double),
        ["torch.LongStorage"] = new(PickleGlobalKind.Storage, "torch.LongStorage", StorageDType.Long),
        ["torch.IntStorage"] = new(PickleGlobalKind.Storage, "torch.IntStorage", StorageDType.Int),
    };

    public static string AllowedGlobals => string.Join(", ", Allowed.Keys);

    private static readonly object Mark = new();
    private readonly byte[] _data;
    private readonly string _source;
    private int _pos;
    private readonly List<object?> _stack = [];
    private readonly List<int> _marks = [];
    private readonly Dictionary<long, object?> _memo = [];
    private readonly Dictionary<string, StorageRef> _storages = new(StringComparer.Ordinal);

    private RestrictedUnpickler(byte[] data, string source)
    {
        _data = data;
        _source = source;
    }

    /// <summary>Reads one pickle; <paramref name="source"/> names it in errors.</summary>
    public static object? Load(byte[] data, string source) => new RestrictedUnpickler(data, source).Run();

    private object? Run()
    {
        while (true)
        {
            if (_pos >= _data.Length) throw Error("ends before its STOP opcode (truncated)");
            int at = _pos;
            byte op = _data[_pos++];
            switch (op)
            {
                case 0x80: ReadBytes(1); break;                                  // PROTO
                case 0x95: ReadBytes(8); break;                                  // FRAME: framing only
                case (byte)'.':                                                  // STOP
                    if (_stack.Count != 1 || _marks.Count != 0) throw Error("STOP with a malformed stack");
                    return _stack[0];
                case (byte)'}': Push(new PickleDict()); break;                   // EMPTY_DICT
                case (byte)']': Push(new List<object?>()); break;                // EMPTY_LIST
                case (byte)')': Push(Array.Empty<object?>()); break;             // EMPTY_TUPLE
                case (byte)'(': _marks.Add(_stack.Count); _stack.Add(Mark); break; // MARK
                case (byte)'N': Push(null); break;                               // NONE
                case 0x88: Push(true); break;                                    // NEWTRUE
                case 0x89: Push(false); break;                                   // NEWFALSE
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
                case (byte)'K': Push((long)ReadBytes(1)[0]); break;              // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                case 0x8a: Push(ReadLong(ReadBytes(1)[0])); break;               // LONG1
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT
                case (byte)'X': Push(ReadUtf8(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break; // BINUNICODE
                case 0x8c: Push(ReadUtf8(ReadBytes(1)[0])); break;               // SHORT_BINUNICODE
                case 0x8d: Push(ReadUtf8(BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8)))); break; // BINUNICODE8
                case (byte)'C': Push(ReadBytes(ReadBytes(1)[0]).ToArray()); break; // SHORT_BINBYTES
                case (byte)'B': Push(ReadBytes(Length(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))).ToArray()); break; // BINBYTES
                case (byte)'q': _memo[ReadBytes(1)[0]] = Peek(); break;          // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4))] = Peek(); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(); break;                   // MEMOIZE
                case (byte)'h': Push(Get(ReadBytes(1)[0])); break;               // BINGET
                case (byte)'j': Push(Get(BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4)))); break; // LONG_BINGET
                case (byte)'0': Pop(); break;                                    // POP
                case (byte)'1': PopMark(); break;                                // POP_MARK
                case (byte)'2': Push(Peek()); break;                             // DUP
                case (byte)'t': Push(PopMark().ToArray()); break;                // TUPLE
                case 0x85: Push(new[] { Pop() }); break;                         // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; } // TUPLE2
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; } // TUPLE3
                case (byte)'a': { var v = Pop(); AsList(Peek(), "APPEND").Add(v); break; } // APPEND
                case (byte)'e': { var items = PopMark(); AsList(Peek(), "APPENDS").AddRange(items); break; } // APPENDS
                case (byte)'s': { var v = Pop(); var k = Pop(); AsDict(Peek(), "SETITEM").Set(k, v); break; } // SETITEM
                case (byte)'u':                                                  // SETITEMS
                {
                    var items = PopMark();
                    if (items.Count % 2 != 0) throw Error("SETITEMS with an odd number of items");
                    var d = AsDict(Peek(), "SETITEMS");
                    for (int i = 0; i < items.Count; i += 2) d.Set(items[i], items[i + 1]);
                    break;
                }
                case (byte)'c': Push(Resolve(ReadLine(), ReadLine())); break;    // GLOBAL
                case 0x93:                                                       // STACK_GLOBAL
                {
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n) throw Error("STACK_GLOBAL with non-string module or name");
                    Push(Resolve(m, n));
                    break;
                }
                case (byte)'Q': Push(PersistentLoad(Pop())); break;             // BINPERSID
                case (byte)'R': { var args = Pop(); var fn = Pop(); Push(Reduce(fn, args)); break; } // REDUCE
                case (byte)'b': { var state = Pop(); Build(Peek(), state); break; } // BUILD
                default:
                    throw Error($"uses pickle opcode {OpName(op)} (0x{op:x2}) at byte {at}, which a state dict never needs; refused");
            }
        }
    }

    private ImportException Error(string problem) => new($"{_source}: {problem}");

    private void Push(object? v) => _stack.Add(v);

    private object? Pop()
    {
        if (_stack.Count == 0 || ReferenceEquals(_stack[^1], Mark)) throw Error("pops an empty stack (malformed pickle)");
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private object? Peek()
    {
        if (_stack.Count == 0 || ReferenceEquals(_stack[^1], Mark)) throw Error("reads an empty stack (malformed pickle)");
        return _stack[^1];
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0) throw Error("has no MARK to pop to (malformed pickle)");
        int m = _marks[^1];
        _marks.RemoveAt(_marks.Count - 1);
        var items = _stack.GetRange(m + 1, _stack.Count - m - 1);
        _stack.RemoveRange(m, _stack.Count - m);
        return items;
    }

    private object? Get(long index) => _memo.TryGetValue(index, out var v) ? v : throw Error($"reads memo entry {index} that was never stored (malformed pickle)");

    private int Length(ulong n) => n <= (ulong)(_data.Length - _pos) ? (int)n : throw Error($"declares a {n}-byte value past the end of the pickle (truncated)");

    private ReadOnlySpan<byte> ReadBytes(int n)
    {
        if (n > _data.Length - _pos) throw Error("ends in the middle of an opcode (truncated)");
        var s = _data.AsSpan(_pos, n);
        _pos += n;
        return s;
    }

    private string ReadUtf8(ulong n)
    {
        try { return new UTF8Encoding(false, true).GetString(ReadBytes(Length(n))); }
        catch (DecoderFallbackException) { throw Error("holds a string that is not valid UTF-8"); }
    }

    private string ReadLine()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0 || end - _pos > 256) throw Error("has a GLOBAL without a newline-terminated name (malformed)");
        string s = Encoding.ASCII.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return s;
    }

    private object ReadLong(int n)
    {
        if (n == 0) return 0L;
        var v = new BigInteger(ReadBytes(n), isUnsigned: false, isBigEndian: false);
        return v >= long.MinValue && v <= long.MaxValue ? (long)v : throw Error($"holds an integer {n} bytes long; too large");
    }

    private PickleGlobal Resolve(string module, string name)
    {
        string qualified = $"{module}.{name}";
        return Allowed.TryGetValue(qualified, out var g) ? g : throw Error(
            $"refused pickle global '{qualified}': a state dict needs only {AllowedGlobals}. Nothing was loaded or run; " +
            "this file may be malicious, or it pickles a whole model object (save model.state_dict() instead)");
    }

    private StorageRef PersistentLoad(object? pid)
    {
        if (pid is not object?[] { Length: 5 } t || t[0] is not "storage")
            throw Error($"has a persistent id that is not ('storage', type, key, location, numel): {Describe(pid)}");
        if (t[1] is not PickleGlobal { Kind: PickleGlobalKind.Storage, Storage: StorageDType dtype })
            throw Error($"has a storage whose type is {Describe(t[1])}, not a torch storage type");
        if (t[2] is not string key || t[3] is not string location || t[4] is not long numel || numel < 0)
            throw Error($"has a malformed storage persistent id {Describe(pid)}");
        if (_storages.TryGetValue(key, out var seen))
        {
            if (seen.DType != dtype || seen.ElementCount != numel) throw Error($"declares storage '{key}' twice with different types or sizes");
            return seen;
        }
        return _storages[key] = new StorageRef(key, dtype, numel, location);
    }

    private object Reduce(object? fn, object? args)
    {
        if (fn is not PickleGlobal g) throw Error($"calls a {PickleText.TypeName(fn)}, which is not callable here (REDUCE only applies allow-listed globals)");
        if (args is not object?[] a) throw Error($"calls {g.QualifiedName} with {PickleText.TypeName(args)} arguments instead of a tuple");
        switch (g.Kind)
        {
            case PickleGlobalKind.OrderedDict when a.Length == 0:
                return new PickleDict();
            case PickleGlobalKind.RebuildTensorV2 when a.Length is 6 or 7:
                if (a[0] is not StorageRef storage || a[1] is not long offset || a[2] is not object?[] size || a[3] is not object?[] stride)
                    throw Error($"calls {g.QualifiedName} with unexpected arguments ({string.Join(", ", a.Select(PickleText.TypeName))})");
                if (a[5] is PickleDict { Items.Count: > 0 }) throw Error("has a tensor with backward hooks; refused");
                return new TensorRef(storage, offset, Longs(size, "size"), Longs(stride, "stride"));
            case PickleGlobalKind.RebuildParameter when a.Length == 3 && a[0] is TensorRef tensor:
                if (a[2] is PickleDict { Items.Count: > 0 }) throw Error("has a parameter with backward hooks; refused");
                return tensor;
            default:
                throw Error($"calls {g.QualifiedName} with {a.Length} argument(s) ({string.Join(", ", a.Select(PickleText.TypeName))}); only the forms torch.save writes are accepted");
        }
    }

    private void Build(object? target, object? state)
    {
        // OrderedDict state_dicts carry a _metadata attribute (per-module versions) that weights do not need.
        if (target is PickleDict && state is PickleDict or null) return;
        throw Error($"sets state on a {PickleText.TypeName(target)} (BUILD), which a state dict never does; refused");
    }

    private long[] Longs(object?[] items, string what)
    {
        var r = new long[items.Length];
        for (int i = 0; i < items.Length; i++)
            r[i] = items[i] is long v and >= 0 ? v : throw Error($"has a tensor {what} entry {Describe(items[i])} that is not a non-negative int");
        return r;
    }

    private static List<object?> AsList(object? v, string op) =>
        v as List<object?> ?? throw new ImportException($"pickle {op} on a {PickleText.TypeName(v)}, not a list (malformed)");

    private static PickleDict AsDict(object? v, string op) =>
        v as PickleDict ?? throw new ImportException($"pickle {op} on a {PickleText.TypeName(v)}, not a dict (malformed)");

    private static string Describe(object? v, int depth = 0) => v switch
    {
        object?[] t when depth > 3 => "(...)",  // error text only; deep nesting must not recurse without bound
        object?[] t => "(" + string.Join(", ", t.Take(8).Select(x => Describe(x, depth + 1))) + ")",
        string s => $"'{(s.Length > 40 ? s[..40] + "..." : s)}'",
        long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => PickleText.TypeName(v),
    };

    private static string OpName(byte op) => op switch
    {
        (byte)'i' => "INST",
        (byte)'o' => "OBJ",
        0x81 => "NEWOBJ",
        0x92 => "NEWOBJ_EX",
        (byte)'P' => "PERSID",
        0x82 or 0x83 or 0x84 => "EXT",
        (byte)'I' => "INT",
        (byte)'L' => "LONG",
        (byte)'S' => "STRING",
        (byte)'V' => "UNICODE",
        (byte)'F' => "FLOAT",
        (byte)'d' => "DICT",
        (byte)'l' => "LIST",
        (byte)'g' => "GET",
        (byte)'p' => "PUT",
        0x8b => "LONG4",
        0x90 => "EMPTY_SET",
        0x91 => "FROZENSET",
        0x8f => "ADDITEMS",
        0x96 => "BYTEARRAY8",
        0x97 => "NEXT_BUFFER",
        0x98 => "READONLY_BUFFER",
        _ => "unknown",
    };
}
