#version 450
// Winograd F(2x2,3x3) output transform and the conv epilogue: for tile t and channel co, the 2x2 outputs
// A^T M A with M[e] = m[e][co][t], A^T = [1 1 1 0; 0 1 -1 -1], then (as conv2d_forward) +bias[co],
// +residual, ReLU, += y; outputs past an odd H or W are dropped. One invocation per (co, t).
// Dispatch: (ceil(T / 64), Cout, 1).
#include "cpu_block.glsl"
#include "conv2d_params.glsl"
layout(local_size_x = 64) in;

layout(binding = 0, r32f) uniform readonly imageBuffer m;
layout(binding = 1, r32f) uniform readonly imageBuffer bias;
layout(binding = 2, r32f) uniform readonly imageBuffer residual;
layout(std430, binding = 3) buffer Y { float y[]; };

void main()
{
    const int th = (p.H + 1) >> 1, tw = (p.W + 1) >> 1;
    const int tilesPerImage = th * tw, T = p.N * tilesPerImage;
    const int t = int(gl_GlobalInvocationID.x), co = int(gl_GlobalInvocationID.y);
    if (t >= T) return;
    const int plane = p.Cout * T, o = co * T + t;
    float s[2][4];
    [[unroll]] for (int c = 0; c < 4; c++)
    {
        float m0 = LOAD(m, (0 + c) * plane + o), m1 = LOAD(m, (4 + c) * plane + o);
        float m2 = LOAD(m, (8 + c) * plane + o), m3 = LOAD(m, (12 + c) * plane + o);
        s[0][c] = m0 + m1 + m2;
        s[1][c] = m1 - m2 - m3;
    }
    ivec2 nr = divmod(t, tilesPerImage, 1.0 / float(tilesPerImage)), yx = divmod(nr.y, tw, 1.0 / float(tw));
    const int oy0 = 2 * yx.x, ox0 = 2 * yx.y;
    const int base = (nr.x * p.Cout + co) * p.OH * p.OW;
    const float b = (p.flags & CONV_BIAS) != 0u ? LOAD(bias, co) : 0.0;
    [[unroll]] for (int r = 0; r < 2; r++)
    {
        float out2[2] = float[2](s[r][0] + s[r][1] + s[r][2], s[r][1] - s[r][2] - s[r][3]);
        [[unroll]] for (int c = 0; c < 2; c++)
        {
            int oy = oy0 + r, ox = ox0 + c;
            if (oy >= p.OH || ox >= p.OW) continue;
            int idx = base + oy * p.OW + ox;
            float val = out2[c];
            if ((p.flags & CONV_BIAS) != 0u) val += b;
            if ((p.flags & CONV_RESIDUAL) != 0u) val += LOAD(residual, idx);
            if ((p.flags & CONV_RELU) != 0u) val = max(val, 0.0);
            if ((p.flags & CONV_ACCUMULATE) != 0u) val += y[idx];
            y[idx] = val;
        }
    }
}
