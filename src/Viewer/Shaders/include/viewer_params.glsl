// The per-frame view description the host writes (mirrored by src/Viewer/Rendering/ViewParams.cs,
// field for field; every field is 4 bytes). Rectangles are in output pixels.
#ifndef VIEWER_PARAMS_GLSL
#define VIEWER_PARAMS_GLSL
struct ViewParams {
    int viewW, viewH, bgra, image;
    int stageCount, selected, normPerStage, labelCount;
    int inX, inY, inW, inH;
    int inC, inSrcH, inSrcW, inSlot;
    int inChanBase, stC, stH, stW;
    int stChanBase, gridX, gridY, cols;
    int rows, tileW, tileH, gap;
    int firstChannel, tileCount, stripX, stripY;
    int buttonW, buttonH, buttonGap, barH;
    int topX, topY, topW, topRowH;
    int hasTop, classNameLen, classCount, statsSlots;
    int cbX, cbY, cbW, cbH;
    int hasCurves, curveBase, curveW, curveX;
    int lossY, lossH, errY, errH;
};

// kind: 0 text chars[start, start+len); 1 name of top-5 class #arg; 2 number stats[arg] in len
// columns; 3 probability of top-5 class #arg as a percentage.
struct Label { int x, y, scale, color, kind, arg, start, len; };

const int MAX_LABELS = 160;
#endif
