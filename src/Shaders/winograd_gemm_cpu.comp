#version 450
// Winograd F(2x2,3x3) GEMMs fused with the output transform and the conv epilogue. For each e = 4*r + c of
// the 16 transform points: M_e[co][t] = sum_ci u[e][co][ci] * v[e][ci][t], folded at once into the 2x2 outputs
// y[a][b] += A^T[a][r] * M_e * A^T[b][c], A^T = [1 1 1 0; 0 1 -1 -1] (so M is never stored); then, as conv2d_forward,
// +bias[co], +residual, ReLU, += y, dropping outputs past an odd H or W. u rows are padded to Kp = roundup(Cin, 4)
// with zeros and read 4 at a time (rgba32f); v rows past Cin read row Cin-1 (finite, times a zero weight).
// _cpu blocking (cpu_block.glsl): 8 channels x 8 tiles per invocation, 8 lanes per workgroup.
// Dispatch: (ceil(Cout / 8), ceil(T / 64), 1): channel blocks vary fastest so back-to-back workgroups share v.
#include "cpu_block.glsl"
#include "conv2d_params.glsl"
layout(local_size_x = 8) in;

layout(binding = 0, rgba32f) uniform readonly imageBuffer u4;
layout(binding = 1, r32f) uniform readonly imageBuffer v;
layout(binding = 2, r32f) uniform readonly imageBuffer bias;
layout(binding = 3, r32f) uniform readonly imageBuffer residual;
layout(std430, binding = 4) buffer Y { float y[]; };

void main()
{
    const int lane = int(gl_LocalInvocationID.x);
    const int co0 = int(gl_WorkGroupID.x) * BM;
    const int th = (p.H + 1) >> 1, tw = (p.W + 1) >> 1;
    const int tilesPerImage = th * tw, T = p.N * tilesPerImage;
    const int Kp4 = (p.Cin + 3) >> 2;
    const int t0 = int(gl_WorkGroupID.y) * WG_COLS + lane;

    int arow[BM], bcol[BN];
    [[unroll]] for (int i = 0; i < BM; i++) arow[i] = min(co0 + i, p.Cout - 1) * Kp4;
    [[unroll]] for (int j = 0; j < BN; j++) bcol[j] = min(t0 + 8 * j, T - 1);

    float o[BM][BN][4];
    [[unroll]] for (int i = 0; i < BM; i++) [[unroll]] for (int j = 0; j < BN; j++) [[unroll]] for (int q = 0; q < 4; q++) o[i][j][q] = 0.0;

    for (int e = 0; e < 16; e++)
    {
        float acc[BM][BN];
        [[unroll]] for (int i = 0; i < BM; i++) [[unroll]] for (int j = 0; j < BN; j++) acc[i][j] = 0.0;
        const int abase = e * p.Cout * Kp4, bbase = e * p.Cin * T;
        for (int k4 = 0; k4 < Kp4; k4++)
        {
            vec4 a4[BM];
            [[unroll]] for (int i = 0; i < BM; i++) a4[i] = imageLoad(u4, abase + arow[i] + k4);
            [[unroll]] for (int kk = 0; kk < 4; kk++)
            {
                int koff = bbase + min(4 * k4 + kk, p.Cin - 1) * T;
                float b[BN];
                [[unroll]] for (int j = 0; j < BN; j++) b[j] = LOAD(v, bcol[j] + koff);
                [[unroll]] for (int i = 0; i < BM; i++)
                    [[unroll]] for (int j = 0; j < BN; j++) acc[i][j] = fma(a4[i][kk], b[j], acc[i][j]);
            }
        }
        // Row r and column c of A^T's two rows: (1, 1, 1, 0) and (0, 1, -1, -1); products are 0 or +-1, exact.
        const int r = e >> 2, c = e & 3;
        const float r0 = r < 3 ? 1.0 : 0.0, r1 = r == 0 ? 0.0 : (r == 1 ? 1.0 : -1.0);
        const float c0 = c < 3 ? 1.0 : 0.0, c1 = c == 0 ? 0.0 : (c == 1 ? 1.0 : -1.0);
        const vec4 f = vec4(r0 * c0, r0 * c1, r1 * c0, r1 * c1);
        [[unroll]] for (int i = 0; i < BM; i++)
            [[unroll]] for (int j = 0; j < BN; j++)
                [[unroll]] for (int q = 0; q < 4; q++) o[i][j][q] = fma(f[q], acc[i][j], o[i][j][q]);
    }

    [[unroll]] for (int j = 0; j < BN; j++)
    {
        int t = t0 + 8 * j;
        if (t >= T) continue;
        ivec2 nr = divmod(t, tilesPerImage, 1.0 / float(tilesPerImage)), yx = divmod(nr.y, tw, 1.0 / float(tw));
        const int oy0 = 2 * yx.x, ox0 = 2 * yx.y;
        [[unroll]] for (int i = 0; i < BM; i++)
        {
            int co = co0 + i;
            if (co >= p.Cout) continue;
            const int base = (nr.x * p.Cout + co) * p.OH * p.OW;
            [[unroll]] for (int q = 0; q < 4; q++)
            {
                int oy = oy0 + (q >> 1), ox = ox0 + (q & 1);
                if (oy >= p.OH || ox >= p.OW) continue;
                int idx = base + oy * p.OW + ox;
                float val = o[i][j][q];
                if ((p.flags & CONV_BIAS) != 0u) val += LOAD(bias, co);
                if ((p.flags & CONV_RESIDUAL) != 0u) val += LOAD(residual, idx);
                if ((p.flags & CONV_RELU) != 0u) val = max(val, 0.0);
                if ((p.flags & CONV_ACCUMULATE) != 0u) val += y[idx];
                y[idx] = val;
            }
        }
    }
}
