namespace VkResNet.Importer.Torch;

/// <summary>
/// The only values the restricted unpickler ever builds. Plain data (null, bool, long, double, string, byte[],
/// lists as <see cref="List{T}"/>, tuples as <c>object?[]</c>) plus these records; no pickle can make anything else.
/// </summary>
public sealed class PickleDict
{
    public List<KeyValuePair<object, object?>> Items { get; } = [];
    private readonly Dictionary<object, int> _index = [];

    public void Set(object? key, object? value)
    {
        if (key is not (string or long or bool or double)) throw new ImportException($"pickle uses a {PickleText.TypeName(key)} as a dict key; only strings and numbers are accepted");
        if (_index.TryGetValue(key, out int i)) Items[i] = new(key, value);
        else { _index[key] = Items.Count; Items.Add(new(key, value)); }
    }

    public bool TryGet(string key, out object? value)
    {
        if (_index.TryGetValue(key, out int i)) { value = Items[i].Value; return true; }
        value = null;
        return false;
    }
}

/// <summary>The allow-listed globals; a pickle naming anything else is refused when the GLOBAL opcode is read.</summary>
public enum PickleGlobalKind { OrderedDict, RebuildTensorV2, RebuildParameter, Storage }

public sealed record PickleGlobal(PickleGlobalKind Kind, string QualifiedName, StorageDType? Storage = null);

/// <summary>A torch storage type named in a persistent id: its element type and size in bytes.</summary>
public enum StorageDType { Float, Half, BFloat16, Double, Long, Int }

/// <summary>A persistent id ('storage', type, key, location, numel): the tensor bytes live in archive/data/{Key}.</summary>
public sealed record StorageRef(string Key, StorageDType DType, long ElementCount, string Location);

/// <summary>What torch._utils._rebuild_tensor_v2 would have built: a strided view of a storage.</summary>
public sealed record TensorRef(StorageRef Storage, long Offset, long[] Shape, long[] Stride);

internal static class PickleText
{
    public static string TypeName(object? v) => v switch
    {
        null => "None",
        bool => "bool",
        long => "int",
        System.Numerics.BigInteger => "int",
        double => "float",
        string => "str",
        byte[] => "bytes",
        List<object?> => "list",
        object?[] => "tuple",
        PickleDict => "dict",
        PickleGlobal g => g.QualifiedName,
        StorageRef => "storage",
        TensorRef => "tensor",
        _ => v.GetType().Name,
    };

    public static int Size(this StorageDType t) => t switch
    {
        StorageDType.Half or StorageDType.BFloat16 => 2,
        StorageDType.Float or StorageDType.Int => 4,
        _ => 8,
    };
}
