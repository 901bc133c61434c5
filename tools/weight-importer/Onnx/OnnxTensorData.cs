using System.Buffers.Binary;

namespace VkResNet.Importer.Onnx;

/// <summary>Turns an ONNX TensorProto's payload (raw_data or the typed repeated fields) into float32.</summary>
public static class OnnxTensorData
{
    public static float[] ToFloat32(OnnxTensor t, string path)
    {
        if (t.External) throw new ImportException($"{path}: initializer '{t.Name}' keeps its data in an external file; re-export with the weights inside the .onnx (save_as_external_data=False)");
        long count = WeightTensor.ShapeElements(t.Dims);
        if (count > int.MaxValue) throw new ImportException($"{path}: initializer '{t.Name}' is too large");
        var raw = t.RawData.Span;
        var result = new float[count];
        int size = t.DataType switch
        {
            OnnxTensor.Float or OnnxTensor.Int32 => 4,
            OnnxTensor.Float16 or OnnxTensor.BFloat16 => 2,
            OnnxTensor.Double or OnnxTensor.Int64 => 8,
            _ => throw new ImportException($"{path}: initializer '{t.Name}' has ONNX data_type {t.DataType}; only FLOAT, FLOAT16, BFLOAT16, DOUBLE, INT32, INT64 are read"),
        };
        if (raw.Length > 0)
        {
            if (raw.Length != count * size)
                throw new ImportException($"{path}: initializer '{t.Name}' {WeightTensor.FormatShape(t.Dims)} needs {count * size} bytes of raw_data but holds {raw.Length}; wrong tensor size");
            for (int i = 0; i < count; i++)
            {
                var b = raw.Slice(i * size, size);
                result[i] = t.DataType switch
                {
                    OnnxTensor.Float => BinaryPrimitives.ReadSingleLittleEndian(b),
                    OnnxTensor.Float16 => (float)BinaryPrimitives.ReadHalfLittleEndian(b),
                    OnnxTensor.BFloat16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16),
                    OnnxTensor.Double => (float)BinaryPrimitives.ReadDoubleLittleEndian(b),
                    OnnxTensor.Int32 => BinaryPrimitives.ReadInt32LittleEndian(b),
                    _ => BinaryPrimitives.ReadInt64LittleEndian(b),
                };
            }
            return result;
        }
        // Typed fields: FLOAT in float_data, 16-bit types as their bits in int32_data, DOUBLE in double_data.
        int have = t.DataType switch
        {
            OnnxTensor.Float => t.FloatData.Length,
            OnnxTensor.Double => t.DoubleData.Length,
            OnnxTensor.Int64 => t.Int64Data.Length,
            _ => t.Int32Data.Length,
        };
        if (have != count) throw new ImportException($"{path}: initializer '{t.Name}' {WeightTensor.FormatShape(t.Dims)} needs {count} values but holds {have}; wrong tensor size");
        for (int i = 0; i < count; i++)
        {
            result[i] = t.DataType switch
            {
                OnnxTensor.Float => t.FloatData[i],
                OnnxTensor.Double => (float)t.DoubleData[i],
                OnnxTensor.Int64 => t.Int64Data[i],
                OnnxTensor.Float16 => (float)BitConverter.UInt16BitsToHalf((ushort)t.Int32Data[i]),
                OnnxTensor.BFloat16 => BitConverter.Int32BitsToSingle(t.Int32Data[i] << 16),
                _ => t.Int32Data[i],
            };
        }
        return result;
    }

    public static SourceDType SourceType(OnnxTensor t) => t.DataType switch
    {
        OnnxTensor.Float16 => SourceDType.F16,
        OnnxTensor.BFloat16 => SourceDType.BF16,
        OnnxTensor.Double => SourceDType.F64,
        OnnxTensor.Int64 => SourceDType.I64,
        OnnxTensor.Int32 => SourceDType.I32,
        _ => SourceDType.F32,
    };
}
