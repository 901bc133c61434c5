using System.Runtime.InteropServices;

namespace VkResNet.Viewer.Rendering;

/// <summary>Builds the frame's labels and their characters (ASCII, one uint each) for viewer_draw.</summary>
public sealed class LabelList(int maxLabels, int maxChars)
{
    readonly Label[] _labels = new Label[maxLabels];
    readonly uint[] _chars = new uint[maxChars];
    int _count, _used;

    public const int White = 0xE6E6E6, Gray = 0x9A9A9A, Yellow = 0x40D0F0, Dim = 0x707070;

    public int Count => _count;
    public ReadOnlySpan<Label> Labels => _labels.AsSpan(0, _count);
    public ReadOnlySpan<uint> Chars => _chars.AsSpan(0, _used);

    public void Clear() => _count = _used = 0;

    /// <summary>Text at (x, y); characters past <paramref name="maxColumns"/> are cut; non-ASCII shows as '?'.</summary>
    public void Text(int x, int y, string text, int color = White, int scale = 1, int maxColumns = int.MaxValue)
    {
        int n = Math.Min(text.Length, maxColumns);
        if (n <= 0 || _count == _labels.Length || _used + n > _chars.Length) return;
        for (int i = 0; i < n; i++) _chars[_used + i] = text[i] is >= ' ' and <= '~' ? text[i] : '?';
        Add(new Label { x = x, y = y, scale = scale, color = color, kind = (int)LabelKind.Text, start = _used, len = n });
        _used += n;
    }

    /// <summary>A label whose characters the shader makes from GPU data (class names, statistics, probabilities).</summary>
    public void Gpu(int x, int y, LabelKind kind, int arg, int columns, int color = White, int scale = 1)
    {
        if (columns <= 0 || _count == _labels.Length) return;
        Add(new Label { x = x, y = y, scale = scale, color = color, kind = (int)kind, arg = arg, len = columns });
    }

    void Add(in Label l) => _labels[_count++] = l;

    /// <summary>Appends another list's labels (and their characters), as many as fit.</summary>
    public void Append(LabelList other)
    {
        foreach (var l in other.Labels)
        {
            if (_count == _labels.Length) return;
            if (l.kind != (int)LabelKind.Text) { Add(l); continue; }
            if (_used + l.len > _chars.Length) return;
            other._chars.AsSpan(l.start, l.len).CopyTo(_chars.AsSpan(_used));
            Add(l with { start = _used });
            _used += l.len;
        }
    }

    /// <summary>Writes params, labels and characters in the layout of viewer_draw's Frame buffer.</summary>
    public void WriteTo(Span<byte> dst, in ViewParams p)
    {
        var pp = p;
        pp.labelCount = _count;
        MemoryMarshal.Write(dst, in pp);
        int labelsAt = Marshal.SizeOf<ViewParams>();
        MemoryMarshal.AsBytes(Labels).CopyTo(dst[labelsAt..]);
        MemoryMarshal.AsBytes(Chars).CopyTo(dst[(labelsAt + _labels.Length * Marshal.SizeOf<Label>())..]);
    }
}
