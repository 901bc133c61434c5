#version 450
// The whole viewer frame, one invocation per output pixel, written as packed 8-bit RGBA (or BGRA
// for swapchains that want it) into a storage buffer that is then copied to the swapchain image:
// stage strip with per-stage mean/std bars (the paper's Figure 7), input image, a page of channel
// tiles of the selected stage (min/max-normalised per channel or per stage, viridis) under a colour bar,
// top-5 bars, the --live curves panel (per pixel column, the rows each series' line covers, made by the
// host: chars[curveBase ...]), and text labels from a 6x13 bitmap font. 8x8 tiles of pixels; each workgroup first culls the labels
// to those touching its tile into shared memory, so a pixel tests one or two labels, not all of them.
#extension GL_GOOGLE_include_directive : require
#include "viewer_params.glsl"
#include "viewer_font.glsl"
#include "viewer_colormap.glsl"
layout(local_size_x = 8, local_size_y = 8) in;
layout(std430, binding = 0) readonly buffer Frame { ViewParams p; Label labels[MAX_LABELS]; uint chars[]; };
layout(std430, binding = 1) readonly buffer In { float inputT[]; };
layout(std430, binding = 2) readonly buffer St { float stage[]; };
layout(std430, binding = 3) readonly buffer Stats { float stats[]; };
layout(std430, binding = 4) readonly buffer Top { uint top[]; };
layout(std430, binding = 5) readonly buffer Names { uint names[]; };
layout(std430, binding = 6) writeonly buffer Out { uint pixels[]; };

const vec3 BACKGROUND = vec3(22, 22, 28);

bool inside(ivec2 q, int x, int y, int w, int h) { return q.x >= x && q.y >= y && q.x < x + w && q.y < y + h; }

vec3 unpackColor(int c) { return vec3(c & 255, (c >> 8) & 255, (c >> 16) & 255); }

// Character i of v printed as "%.3f", right-aligned in `width` columns (space when out of range).
uint numberChar(float v, int i, int width) {
    uint s[16];
    int n = 0;
    if (isnan(v)) { s[0] = 78u; s[1] = 97u; s[2] = 78u; n = 3; }
    else {
        float a = min(abs(v), 9999999.0);
        uint scaled = uint(a * 1000.0 + 0.5);
        uint ip = scaled / 1000u, fp = scaled % 1000u;
        uint digits[8];
        int nd = 0;
        do { digits[nd++] = ip % 10u; ip /= 10u; } while (ip > 0u && nd < 8);
        if (v < 0.0 && scaled > 0u) s[n++] = 45u;
        for (int k = nd - 1; k >= 0; --k) s[n++] = 48u + digits[k];
        s[n++] = 46u;
        s[n++] = 48u + fp / 100u;
        s[n++] = 48u + (fp / 10u) % 10u;
        s[n++] = 48u + fp % 10u;
    }
    int k = i - (width - n);
    return k >= 0 && k < n ? s[k] : 32u;
}

uint labelChar(Label l, int i) {
    if (l.kind == 0) return chars[l.start + i];
    if (l.kind == 1) {
        uint cls = top[l.arg];
        if (cls == 0xFFFFFFFFu || int(cls) >= p.classCount) return 32u;
        return names[int(cls) * p.classNameLen + i];
    }
    if (l.kind == 2) return numberChar(stats[l.arg], i, l.len);
    float pct = uintBitsToFloat(top[5 + l.arg]) * 100.0;
    if (i == l.len - 1) return 37u; // '%'
    return numberChar(pct, i, l.len + 1); // printed with 3 decimals in len+1 columns; the last 2 never show
}

bool glyphPixel(uint ch, int gx, int gy) {
    if (ch < 32u || ch > 126u || gx >= FONT_W || gy >= FONT_H) return false;
    uint word = FONT_BITS[(ch - 32u) * 4u + uint(gy >> 2)];
    uint row = (word >> (8u * uint(gy & 3))) & 255u;
    return (row & (0x80u >> uint(gx))) != 0u;
}

// Value of channel c of the selected stage at map position (y, x), normalised to [0, 1].
float stageValue(int c, int y, int x) {
    float v = stage[((p.image * p.stC + c) * p.stH + y) * p.stW + x];
    int o = p.normPerStage != 0 ? 4 * p.selected : p.stChanBase + 4 * c;
    float lo = stats[o], hi = stats[o + 1];
    return hi > lo ? (v - lo) / (hi - lo) : 0.5;
}

shared int tileLabels[MAX_LABELS];
shared uint tileLabelCount;

void main() {
    ivec2 q = ivec2(gl_GlobalInvocationID.xy);
    uint lid = gl_LocalInvocationIndex;
    if (lid == 0u) tileLabelCount = 0u;
    barrier();
    ivec2 t0 = ivec2(gl_WorkGroupID.xy) * 8;
    for (int i = int(lid); i < p.labelCount; i += 64) {
        Label l = labels[i];
        int w = l.len * FONT_W * l.scale, h = FONT_H * l.scale;
        if (l.x < t0.x + 8 && l.x + w > t0.x && l.y < t0.y + 8 && l.y + h > t0.y)
            tileLabels[atomicAdd(tileLabelCount, 1u)] = i;
    }
    barrier();
    if (q.x >= p.viewW || q.y >= p.viewH) return;
    vec3 color = BACKGROUND;

    // Stage strip: one button per stage; its lower part holds the stage's mean (left) and std (right) bars.
    if (q.y >= p.stripY && q.y < p.stripY + p.buttonH && q.x >= p.stripX) {
        int pitch = p.buttonW + p.buttonGap;
        int s = (q.x - p.stripX) / pitch;
        int bx = (q.x - p.stripX) - s * pitch;
        if (s < p.stageCount && bx < p.buttonW) {
            color = s == p.selected ? vec3(70, 70, 96) : vec3(40, 40, 52);
            float maxMean = 1e-20, maxStd = 1e-20;
            for (int k = 0; k < p.stageCount; ++k) {
                maxMean = max(maxMean, abs(stats[4 * k + 2]));
                maxStd = max(maxStd, stats[4 * k + 3]);
            }
            int by = p.stripY + p.buttonH - 1 - q.y; // height above the button's bottom edge (the numbers sit above barH)
            int halfW = p.buttonW / 2;
            float frac = bx < halfW ? abs(stats[4 * s + 2]) / maxMean : stats[4 * s + 3] / maxStd;
            int inner = bx < halfW ? bx : bx - halfW;
            if (by < p.barH && inner >= 3 && inner < halfW - 3 && float(by) < frac * float(p.barH))
                color = bx < halfW ? vec3(240, 160, 60) : vec3(90, 170, 240);
        }
    }

    // Input image, nearest-neighbour, normalised by its own min/max over all channels.
    if (inside(q, p.inX, p.inY, p.inW, p.inH)) {
        int x = (q.x - p.inX) * p.inSrcW / p.inW;
        int y = (q.y - p.inY) * p.inSrcH / p.inH;
        float lo = stats[4 * p.inSlot], hi = stats[4 * p.inSlot + 1];
        float scale = hi > lo ? 255.0 / (hi - lo) : 0.0;
        vec3 rgb;
        for (int c = 0; c < 3; ++c) {
            int cc = min(c, p.inC - 1);
            rgb[c] = (inputT[((p.image * p.inC + cc) * p.inSrcH + y) * p.inSrcW + x] - lo) * scale;
        }
        color = rgb;
    }

    // Channel tiles of the selected stage.
    if (inside(q, p.gridX, p.gridY, p.cols * (p.tileW + p.gap), p.rows * (p.tileH + p.gap))) {
        int col = (q.x - p.gridX) / (p.tileW + p.gap);
        int row = (q.y - p.gridY) / (p.tileH + p.gap);
        int tx = (q.x - p.gridX) - col * (p.tileW + p.gap);
        int ty = (q.y - p.gridY) - row * (p.tileH + p.gap);
        int t = row * p.cols + col;
        int c = p.firstChannel + t;
        if (t < p.tileCount && c < p.stC && tx < p.tileW && ty < p.tileH)
            color = viridis(stageValue(c, ty * p.stH / p.tileH, tx * p.stW / p.tileW));
    }

    // Colour bar: the colour map from the low end of the range (left) to the high end.
    if (inside(q, p.cbX, p.cbY, p.cbW, p.cbH))
        color = viridis(float(q.x - p.cbX) / float(max(p.cbW - 1, 1)));

    // Curves panel: loss (top plot), train and test error (bottom plot); a pixel is lit where a line covers its row.
    if (p.hasCurves != 0) {
        int cx = q.x - p.curveX;
        bool inLoss = inside(q, p.curveX, p.lossY, p.curveW, p.lossH), inErr = inside(q, p.curveX, p.errY, p.curveW, p.errH);
        if (inLoss || inErr) {
            color = vec3(30, 30, 38);
            if (cx == 0 || q.y == (inLoss ? p.lossY + p.lossH - 1 : p.errY + p.errH - 1)) color = vec3(90, 90, 100); // axes
            for (int series = inLoss ? 0 : 1; series <= (inLoss ? 0 : 2); ++series) {
                uint cell = chars[p.curveBase + series * p.curveW + cx];
                int y = q.y - (inLoss ? p.lossY : p.errY);
                if (cell != 0xFFFFFFFFu && y >= int(cell & 0xFFFFu) && y <= int(cell >> 16))
                    color = series == 0 ? vec3(230, 230, 230) : series == 1 ? vec3(90, 170, 240) : vec3(240, 160, 60);
            }
        }
    }

    // Top-5: a bar per class, as long as its probability.
    if (p.hasTop != 0 && inside(q, p.topX, p.topY, p.topW, 5 * p.topRowH)) {
        int r = (q.y - p.topY) / p.topRowH;
        float prob = uintBitsToFloat(top[5 + r]);
        if (q.y - p.topY - r * p.topRowH < p.topRowH - 2 && float(q.x - p.topX) < prob * float(p.topW))
            color = vec3(52, 92, 72);
    }

    // Text last, over everything.
    for (uint j = 0u; j < tileLabelCount; ++j) {
        Label l = labels[tileLabels[j]];
        int cw = FONT_W * l.scale, chh = FONT_H * l.scale;
        if (!inside(q, l.x, l.y, l.len * cw, chh)) continue;
        int k = (q.x - l.x) / cw;
        if (glyphPixel(labelChar(l, k), ((q.x - l.x) - k * cw) / l.scale, (q.y - l.y) / l.scale))
            color = unpackColor(l.color);
    }

    uvec3 c8 = uvec3(clamp(color + 0.5, 0.0, 255.0));
    pixels[q.y * p.viewW + q.x] = p.bgra != 0
        ? (c8.b | (c8.g << 8) | (c8.r << 16) | 0xFF000000u)
        : (c8.r | (c8.g << 8) | (c8.b << 16) | 0xFF000000u);
}
