using System.Runtime.InteropServices;
using Google.Protobuf;

namespace VkResNet.Importer.Onnx;

/// <summary>
/// Decodes an ONNX ModelProto with Google.Protobuf's CodedInputStream by field number (onnx.proto, IR v3-v9):
/// ModelProto{1 ir_version, 2 producer_name, 3 producer_version, 7 graph, 8 opset_import},
/// GraphProto{1 node, 5 initializer, 11 input, 12 output}, NodeProto{1 input, 2 output, 3 name, 4 op_type, 5 attribute, 7 domain},
/// AttributeProto{1 name, 2 f, 3 i, 5 t, 7 floats, 8 ints}, TensorProto{1 dims, 2 data_type, 4 float_data, 5 int32_data,
/// 7 int64_data, 8 name, 9 raw_data, 10 double_data, 14 data_location}, ValueInfoProto{1 name}, OperatorSetIdProto{1 domain, 2 version}.
/// Unknown fields are skipped, as protobuf readers do.
/// </summary>
public static class OnnxReader
{
    public static OnnxModel Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try { return ParseModel(new CodedInputStream(bytes), path); }
        catch (InvalidProtocolBufferException e)
        {
            throw new ImportException($"{path}: not a valid ONNX model; the protobuf is truncated or corrupt ({e.Message})");
        }
    }

    private static CodedInputStream Nested(CodedInputStream input)
    {
        ByteString bs = input.ReadBytes();
        return MemoryMarshal.TryGetArray(bs.Memory, out ArraySegment<byte> seg)
            ? new CodedInputStream(seg.Array!, seg.Offset, seg.Count)
            : new CodedInputStream(bs.ToByteArray());
    }

    private static OnnxModel ParseModel(CodedInputStream input, string path)
    {
        long ir = 0, opset = 0;
        string producer = "", version = "";
        OnnxGraph? graph = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: ir = input.ReadInt64(); break;
                case 2: producer = input.ReadString(); break;
                case 3: version = input.ReadString(); break;
                case 7: graph = ParseGraph(Nested(input)); break;
                case 8:
                {
                    var (domain, v) = ParseOpset(Nested(input));
                    if (domain is "" or "ai.onnx") opset = v;
                    break;
                }
                default: input.SkipLastField(); break;
            }
        }
        if (graph == null || ir == 0) throw new ImportException($"{path}: not an ONNX model (no ir_version or graph)");
        return new OnnxModel(ir, producer, version, opset, graph);
    }

    private static (string, long) ParseOpset(CodedInputStream input)
    {
        string domain = "";
        long version = 0;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: domain = input.ReadString(); break;
                case 2: version = input.ReadInt64(); break;
                default: input.SkipLastField(); break;
            }
        }
        return (domain, version);
    }

    private static OnnxGraph ParseGraph(CodedInputStream input)
    {
        var nodes = new List<OnnxNode>();
        var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var inputs = new List<string>();
        var outputs = new List<string>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: nodes.Add(ParseNode(Nested(input))); break;
                case 5:
                {
                    var t = ParseTensor(Nested(input));
                    if (!initializers.TryAdd(t.Name, t)) throw new ImportException($"ONNX initializer '{t.Name}' appears twice");
                    break;
                }
                case 11: inputs.Add(ParseValueInfoName(Nested(input))); break;
                case 12: outputs.Add(ParseValueInfoName(Nested(input))); break;
                default: input.SkipLastField(); break;
            }
        }
        return new OnnxGraph(nodes, initializers, inputs, outputs);
    }

    private static string ParseValueInfoName(CodedInputStream input)
    {
        string name = "";
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1) name = input.ReadString();
            else input.SkipLastField();
        }
        return name;
    }

    private static OnnxNode ParseNode(CodedInputStream input)
    {
        var ins = new List<string>();
        var outs = new List<string>();
        string name = "", op = "", domain = "";
        var attrs = new Dictionary<string, OnnxAttribute>(StringComparer.Ordinal);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: ins.Add(input.ReadString()); break;
                case 2: outs.Add(input.ReadString()); break;
                case 3: name = input.ReadString(); break;
                case 4: op = input.ReadString(); break;
                case 5: { var a = ParseAttribute(Nested(input)); attrs[a.Name] = a; break; }
                case 7: domain = input.ReadString(); break;
                default: input.SkipLastField(); break;
            }
        }
        return new OnnxNode(name, op, domain, [.. ins], [.. outs], attrs);
    }

    private static OnnxAttribute ParseAttribute(CodedInputStream input)
    {
        string name = "";
        float f = 0;
        long i = 0;
        var ints = new List<long>();
        var floats = new List<float>();
        OnnxTensor? t = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: name = input.ReadString(); break;
                case 2: f = input.ReadFloat(); break;
                case 3: i = input.ReadInt64(); break;
                case 5: t = ParseTensor(Nested(input)); break;
                case 7: ReadFloats(input, tag, floats); break;
                case 8: ReadInt64s(input, tag, ints); break;
                default: input.SkipLastField(); break;
            }
        }
        return new OnnxAttribute(name, f, i, [.. ints], [.. floats], t);
    }

    private static OnnxTensor ParseTensor(CodedInputStream input)
    {
        var dims = new List<long>();
        var floats = new List<float>();
        var int64s = new List<long>();
        var doubles = new List<double>();
        var int32s = new List<long>();
        string name = "";
        int dataType = 0;
        bool external = false;
        ByteString raw = ByteString.Empty;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: ReadInt64s(input, tag, dims); break;
                case 2: dataType = input.ReadInt32(); break;
                case 4: ReadFloats(input, tag, floats); break;
                case 5: ReadInt64s(input, tag, int32s); break;
                case 7: ReadInt64s(input, tag, int64s); break;
                case 8: name = input.ReadString(); break;
                case 9: raw = input.ReadBytes(); break;
                case 10: ReadDoubles(input, tag, doubles); break;
                case 14: external = input.ReadInt32() == 1; break;
                default: input.SkipLastField(); break;
            }
        }
        return new OnnxTensor(name, dataType, [.. dims], raw, [.. floats], [.. int64s], [.. doubles], int32s.Select(v => (int)v).ToArray(), external);
    }

    // Repeated scalars arrive packed (one length-delimited run) or one per tag; both are valid protobuf.
    private static void ReadInt64s(CodedInputStream input, uint tag, List<long> into)
    {
        if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited) { into.Add(input.ReadInt64()); return; }
        var inner = Nested(input);
        while (!inner.IsAtEnd) into.Add(inner.ReadInt64());
    }

    private static void ReadFloats(CodedInputStream input, uint tag, List<float> into)
    {
        if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited) { into.Add(input.ReadFloat()); return; }
        var inner = Nested(input);
        while (!inner.IsAtEnd) into.Add(inner.ReadFloat());
    }

    private static void ReadDoubles(CodedInputStream input, uint tag, List<double> into)
    {
        if (WireFormat.GetTagWireType(tag) != WireFormat.WireType.LengthDelimited) { into.Add(input.ReadDouble()); return; }
        var inner = Nested(input);
        while (!inner.IsAtEnd) into.Add(inner.ReadDouble());
    }
}
