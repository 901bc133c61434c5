using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;

namespace VkResNet.Importer.Tests;

/// <summary>
/// Small valid inputs made in code (no python, no 1.5 GB fixture set), for the mutation tests: a torch.save zip of a
/// few tensors, and an ONNX ResNet-18 graph with two channels everywhere (the importer checks structure, strides and
/// pads, not widths), BN folded into conv biases as an eval-mode export writes it.
/// </summary>
public static class TinyModels
{
    /// <summary>A torch.save (zip, pickle protocol 2) state dict: name -> (shape, values); <paramref name="declared"/> overrides the element counts the pickle gives the storages.</summary>
    public static byte[] Pth((string Name, int[] Shape, float[] Data)[] tensors, int[]? declared = null)
    {
        var pkl = new List<byte> { 0x80, 0x02, (byte)'}', (byte)'(' };
        void Str(string s) { pkl.Add((byte)'X'); pkl.AddRange(BitConverter.GetBytes(Encoding.UTF8.GetByteCount(s))); pkl.AddRange(Encoding.UTF8.GetBytes(s)); }
        void Raw(string s) => pkl.AddRange(Encoding.Latin1.GetBytes(s));
        void Int(int v) { pkl.Add((byte)'K'); pkl.Add(checked((byte)v)); }
        void Tuple(IEnumerable<int> values) { Raw("("); foreach (int v in values) Int(v); Raw("t"); }
        for (int i = 0; i < tensors.Length; i++)
        {
            var (name, shape, data) = tensors[i];
            Str(name);
            Raw("ctorch._utils\n_rebuild_tensor_v2\n(");
            Raw("(");
            Str("storage");
            Raw("ctorch\nFloatStorage\n");
            Str(i.ToString());
            Str("cpu");
            Int(declared?[i] ?? data.Length);
            Raw("tQ");
            Int(0);
            Tuple(shape);
            var stride = new int[shape.Length];
            for (int d = shape.Length - 1, s = 1; d >= 0; s *= shape[d], d--) stride[d] = s;
            Tuple(stride);
            Raw("\u0089ccollections\nOrderedDict\n)RtR");
        }
        Raw("u.");
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Entry(string name, byte[] bytes) { using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open(); s.Write(bytes); }
            Entry("archive/data.pkl", [.. pkl]);
            Entry("archive/byteorder", Encoding.ASCII.GetBytes("little"));
            for (int i = 0; i < tensors.Length; i++) Entry($"archive/data/{i}", MemoryMarshal.AsBytes(tensors[i].Data.AsSpan()).ToArray());
            Entry("archive/version", Encoding.ASCII.GetBytes("3\n"));
        }
        return ms.ToArray();
    }

    /// <summary>An ONNX ModelProto of a two-channel ResNet-18 (stages [2, 2, 2, 2], projection shortcuts where the stride is 2).</summary>
    /// <param name="stemInputs">how many of its inputs (x, W, B) the stem conv lists: fewer makes the corrupt node of issue 18</param>
    public static byte[] OnnxResNet18(int classes = 3, int seed = 1, int stemInputs = 3)
    {
        var rng = new Random(seed);
        var nodes = new List<byte[]>();
        var inits = new List<byte[]>();
        int n = 0;
        string Conv(string x, int kernel, int stride, int cin = 2)
        {
            string w = $"w{n}", b = $"b{n}", y = $"conv{n++}";
            inits.Add(Tensor(w, [2, cin, kernel, kernel], rng));
            inits.Add(Tensor(b, [2], rng));
            int pad = kernel / 2;
            string[] inputs = n == 1 ? new[] { x, w, b }[..stemInputs] : [x, w, b];
            nodes.Add(Node("Conv", inputs, y, $"/conv{n}", ("kernel_shape", [kernel, kernel]), ("strides", [stride, stride]), ("pads", [pad, pad, pad, pad])));
            return y;
        }
        string Op(string op, string[] inputs, params (string, long[])[] attrs)
        {
            string y = $"{op.ToLowerInvariant()}{n++}";
            nodes.Add(Node(op, inputs, y, $"/{op}{n}", attrs));
            return y;
        }
        string x = Op("Relu", [Conv("input", 7, 2, cin: 3)]);
        x = Op("MaxPool", [x], ("kernel_shape", [3, 3]), ("strides", [2, 2]), ("pads", [1, 1, 1, 1]));
        for (int stage = 0; stage < 4; stage++)
            for (int block = 0; block < 2; block++)
            {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                string main = Conv(Op("Relu", [Conv(x, 3, stride)]), 3, 1);
                string shortcut = stride == 2 ? Conv(x, 1, 2) : x;
                x = Op("Relu", [Op("Add", [main, shortcut])]);
            }
        x = Op("Flatten", [Op("GlobalAveragePool", [x])], ("axis", [1]));
        inits.Add(Tensor("fc.w", [classes, 2], rng));
        inits.Add(Tensor("fc.b", [classes], rng));
        nodes.Add(Node("Gemm", [x, "fc.w", "fc.b"], "logits", "/fc/Gemm", ("transB", [1])));

        byte[] graph = Message(o =>
        {
            foreach (var node in nodes) { o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(node)); }
            foreach (var t in inits) { o.WriteTag(5, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(t)); }
            o.WriteTag(11, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(Message(v => { v.WriteTag(1, WireFormat.WireType.LengthDelimited); v.WriteString("input"); })));
            o.WriteTag(12, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(Message(v => { v.WriteTag(1, WireFormat.WireType.LengthDelimited); v.WriteString("logits"); })));
        });
        return Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt64(8);
            o.WriteTag(2, WireFormat.WireType.LengthDelimited); o.WriteString("vkresnet-tests");
            o.WriteTag(7, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(graph));
            o.WriteTag(8, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(Message(v => { v.WriteTag(2, WireFormat.WireType.Varint); v.WriteInt64(13); })));
        });
    }

    static byte[] Message(Action<CodedOutputStream> write)
    {
        using var ms = new MemoryStream();
        var o = new CodedOutputStream(ms);
        write(o);
        o.Flush();
        return ms.ToArray();
    }

    static byte[] Node(string op, string[] inputs, string output, string name, params (string Name, long[] Ints)[] attrs) => Message(o =>
    {
        foreach (string i in inputs) { o.WriteTag(1, WireFormat.WireType.LengthDelimited); o.WriteString(i); }
        o.WriteTag(2, WireFormat.WireType.LengthDelimited); o.WriteString(output);
        o.WriteTag(3, WireFormat.WireType.LengthDelimited); o.WriteString(name);
        o.WriteTag(4, WireFormat.WireType.LengthDelimited); o.WriteString(op);
        foreach (var (an, ints) in attrs)
        {
            byte[] a = Message(m =>
            {
                m.WriteTag(1, WireFormat.WireType.LengthDelimited); m.WriteString(an);
                if (ints.Length == 1 && an is "axis" or "transB") { m.WriteTag(3, WireFormat.WireType.Varint); m.WriteInt64(ints[0]); }
                else foreach (long v in ints) { m.WriteTag(8, WireFormat.WireType.Varint); m.WriteInt64(v); }
            });
            o.WriteTag(5, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(a));
        }
    });

    static byte[] Tensor(string name, long[] dims, Random rng) => Message(o =>
    {
        foreach (long d in dims) { o.WriteTag(1, WireFormat.WireType.Varint); o.WriteInt64(d); }
        o.WriteTag(2, WireFormat.WireType.Varint); o.WriteInt32(1);
        o.WriteTag(8, WireFormat.WireType.LengthDelimited); o.WriteString(name);
        var values = new float[dims.Aggregate(1L, (a, d) => a * d)];
        for (int i = 0; i < values.Length; i++) values[i] = (float)rng.NextDouble() - 0.5f;
        o.WriteTag(9, WireFormat.WireType.LengthDelimited); o.WriteBytes(ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())));
    });
}
