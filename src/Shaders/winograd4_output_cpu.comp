#version 450
// Winograd F(4x4,3x3) output transform and conv epilogue: y tile = A^T M A for the 6x6 M = m[.][co][t],
// A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]; then, as conv2d_forward, +bias[co], +residual,
// ReLU, += y, dropping outputs past an H or W that is no multiple of 4.
// One invocation per (t, co), neighbouring lanes take neighbouring tiles. Dispatch: (ceil(T / 64), Cout, 1).
#include "cpu_block.glsl"
#include "conv2d_params.glsl"
layout(local_size_x = 64) in;

layout(binding = 0, r32f) uniform readonly imageBuffer m;
layout(binding = 1, r32f) uniform readonly imageBuffer bias;
layout(binding = 2, r32f) uniform readonly imageBuffer residual;
layout(std430, binding = 3) buffer Y { float y[]; };

// A^T times a 6-vector: the even and odd parts of the +-1 and +-2 pairs first.
void at(float m0, float m1, float m2, float m3, float m4, float m5, out float r[4])
{
    float p1 = m1 + m2, n1 = m1 - m2, p2 = m3 + m4, n2 = m3 - m4;
    r[0] = m0 + p1 + p2;
    r[1] = fma(2.0, n2, n1);
    r[2] = fma(4.0, p2, p1);
    r[3] = fma(8.0, n2, n1) + m5;
}

void main()
{
    const int th = (p.H + 3) >> 2, tw = (p.W + 3) >> 2;
    const int tilesPerImage = th * tw, T = p.N * tilesPerImage;
    const int t = int(gl_GlobalInvocationID.x), co = int(gl_GlobalInvocationID.y);
    if (t >= T) return;
    const int plane = p.Cout * T, at0 = co * T + t;
    float s[6][4];
    [[unroll]] for (int r = 0; r < 6; r++)
    {
        float q[4];
        at(LOAD(m, at0 + (6 * r) * plane), LOAD(m, at0 + (6 * r + 1) * plane), LOAD(m, at0 + (6 * r + 2) * plane),
           LOAD(m, at0 + (6 * r + 3) * plane), LOAD(m, at0 + (6 * r + 4) * plane), LOAD(m, at0 + (6 * r + 5) * plane), q);
        [[unroll]] for (int c = 0; c < 4; c++) s[r][c] = q[c];
    }
    ivec2 nr = divmod(t, tilesPerImage, 1.0 / float(tilesPerImage)), yx = divmod(nr.y, tw, 1.0 / float(tw));
    const int oy0 = 4 * yx.x, ox0 = 4 * yx.y;
    const int base = (nr.x * p.Cout + co) * p.OH * p.OW;
    const float b = (p.flags & CONV_BIAS) != 0u ? LOAD(bias, co) : 0.0;
    [[unroll]] for (int c = 0; c < 4; c++)
    {
        float q[4];
        at(s[0][c], s[1][c], s[2][c], s[3][c], s[4][c], s[5][c], q);
        int ox = ox0 + c;
        [[unroll]] for (int a = 0; a < 4; a++)
        {
            int oy = oy0 + a;
            if (oy >= p.OH || ox >= p.OW) continue;
            int idx = base + oy * p.OW + ox;
            float val = q[a] + b;
            if ((p.flags & CONV_RESIDUAL) != 0u) val += LOAD(residual, idx);
            if ((p.flags & CONV_RELU) != 0u) val = max(val, 0.0);
            if ((p.flags & CONV_ACCUMULATE) != 0u) val += y[idx];
            y[idx] = val;
        }
    }
}
