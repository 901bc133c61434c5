namespace VkResNet.Graph.Compiler;

/// <summary>A byte range inside one resource (a buffer); resource ids are the plan's resource indices.</summary>
public readonly record struct ByteRange(int Resource, long Offset, long Size)
{
    public long End => Offset + Size;
    public bool Overlaps(ByteRange other) =>
        Resource == other.Resource && Offset < other.End && other.Offset < End && Size > 0 && other.Size > 0;
    public override string ToString() => $"r{Resource}[{Offset}, {End})";
}

/// <summary>What one pass (or one dispatch) reads and writes; a read-write access appears in both lists.</summary>
public readonly record struct PassAccesses(IReadOnlyList<ByteRange> Reads, IReadOnlyList<ByteRange> Writes);
