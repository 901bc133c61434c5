namespace VkResNet.Graph.IO;

/// <summary>Element types a safetensors file may hold here. F16 and BF16 are widened to float32 on read; F64 (reference statistics) is read as double or narrowed.</summary>
public enum TensorDType { F32, F16, BF16, I64, I32, F64 }

public static class TensorDTypeInfo
{
    public static int Size(this TensorDType t) => t switch
    {
        TensorDType.F32 or TensorDType.I32 => 4,
        TensorDType.F16 or TensorDType.BF16 => 2,
        TensorDType.I64 or TensorDType.F64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static string Name(this TensorDType t) => t.ToString();

    public static bool TryParse(string s, out TensorDType t)
    {
        switch (s)
        {
            case "F32": t = TensorDType.F32; return true;
            case "F16": t = TensorDType.F16; return true;
            case "BF16": t = TensorDType.BF16; return true;
            case "I64": t = TensorDType.I64; return true;
            case "I32": t = TensorDType.I32; return true;
            case "F64": t = TensorDType.F64; return true;
            default: t = default; return false;
        }
    }

    public const string Supported = "F32, F16, BF16, F64, I64, I32";
}
