using System.Runtime.InteropServices;

namespace VkResNet.Viewer.Rendering;

/// <summary>Mirror of <c>ViewParams</c> in src/Shaders/include/viewer_params.glsl, field for field (all 4-byte ints).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct ViewParams
{
    public int viewW, viewH, bgra, image;
    public int stageCount, selected, normPerStage, labelCount;
    public int inX, inY, inW, inH;
    public int inC, inSrcH, inSrcW, inSlot;
    public int inChanBase, stC, stH, stW;
    public int stChanBase, gridX, gridY, cols;
    public int rows, tileW, tileH, gap;
    public int firstChannel, tileCount, stripX, stripY;
    public int buttonW, buttonH, buttonGap, barH;
    public int topX, topY, topW, topRowH;
    public int hasTop, classNameLen, classCount, statsSlots;
    public int cbX, cbY, cbW, cbH;           // colour bar
    public int hasCurves, curveBase, curveW, curveX; // curves panel: columns at chars[curveBase], curveW per series
    public int lossY, lossH, errY, errH;
}

/// <summary>Mirror of <c>Label</c> in viewer_params.glsl: a run of glyphs at (x, y), scaled, in one colour.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Label
{
    public int x, y, scale, color, kind, arg, start, len;
}

/// <summary>What a label's characters come from (see viewer_params.glsl).</summary>
public enum LabelKind { Text = 0, TopClassName = 1, StatNumber = 2, TopPercent = 3 }
