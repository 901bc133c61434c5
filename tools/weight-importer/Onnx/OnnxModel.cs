using Google.Protobuf;

namespace VkResNet.Importer.Onnx;

/// <summary>The parts of an ONNX TensorProto the importer reads (data_type 1 FLOAT, 10 FLOAT16, 11 DOUBLE, 7 INT64).</summary>
public sealed record OnnxTensor(string Name, int DataType, long[] Dims, ByteString RawData, float[] FloatData, long[] Int64Data,
                                double[] DoubleData, int[] Int32Data, bool External)
{
    public const int Float = 1, Int32 = 6, Int64 = 7, Float16 = 10, Double = 11, BFloat16 = 16;
}

/// <summary>One AttributeProto; only the value fields ResNet ops use.</summary>
public sealed record OnnxAttribute(string Name, float F, long I, long[] Ints, float[] Floats, OnnxTensor? T);

public sealed record OnnxNode(string Name, string OpType, string Domain, string[] Inputs, string[] Outputs, IReadOnlyDictionary<string, OnnxAttribute> Attributes)
{
    /// <summary>The node's name for messages, control bytes escaped (names come from the file).</summary>
    public string Label => VkResNet.Graph.Edge.TopLevel.Printable(string.IsNullOrEmpty(Name) ? $"({OpType} -> {string.Join(", ", Outputs)})" : Name);
    public long Int(string name, long fallback) => Attributes.TryGetValue(name, out var a) ? a.I : fallback;
    public float Float(string name, float fallback) => Attributes.TryGetValue(name, out var a) ? a.F : fallback;
    public long[]? Ints(string name) => Attributes.TryGetValue(name, out var a) ? a.Ints : null;
}

public sealed record OnnxGraph(IReadOnlyList<OnnxNode> Nodes, IReadOnlyDictionary<string, OnnxTensor> Initializers, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs);

public sealed record OnnxModel(long IrVersion, string Producer, string ProducerVersion, long Opset, OnnxGraph Graph);
