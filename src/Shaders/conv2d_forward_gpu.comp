#version 450
// y[n,co,oy,ox] = sum_{ci,ky,kx} w[co,ci,ky,kx] * x[n,ci,oy*SH-PH+ky,ox*SW-PW+kx], then optional +bias[co],
// +residual (same shape as y), ReLU, and += into y. NCHW float32, weight [Cout,Cin,KH,KW].
// Implicit GEMM: rows = Cout, columns = N*OH*OW (batch flattened), K = Cin*KH*KW, im2col gathered on the fly.
// _gpu variant: TM x TN tiles staged in shared memory, RM x RN per invocation (gemm_tile_gpu.glsl; 64x64, 4x4 by default).
// With splitK > 0 (a long K over a small grid), slice z sums k in [z*splitK, (z+1)*splitK) into partial[z] (laid out as y)
// and conv2d_splitk_epilogue_gpu.comp adds the slices in a fixed order, then the epilogue (deterministic, no atomics).
// Dispatch: (ceil(N*OH*OW / TN), ceil(Cout / TM), slices).
#include "conv2d_params.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Wt { float w[]; };
layout(std430, binding = 2) readonly buffer Bias { float bias[]; };
layout(std430, binding = 3) readonly buffer Res { float residual[]; };
layout(std430, binding = 4) buffer Y { float y[]; };
layout(std430, binding = 5) writeonly buffer Partial { float partial[]; };   // [slices, N, Cout, OH, OW]

int gXBase, gIy0, gIx0;   // staging column: image base and top-left input corner

float loadA(int m, int k) { return w[m * (p.Cin * p.KH * p.KW) + k]; }

float loadB(int k)
{
    int khw = p.KH * p.KW;
    int ci = k / khw, r = k - ci * khw;
    int ky = r / p.KW, kx = r - ky * p.KW;
    int iy = gIy0 + ky, ix = gIx0 + kx;
    return (uint(iy) < uint(p.H) && uint(ix) < uint(p.W)) ? x[gXBase + (ci * p.H + iy) * p.W + ix] : 0.0;
}

#include "gemm_tile_gpu.glsl"

void main()
{
    const int hwOut = p.OH * p.OW;
    const int columns = p.N * hwOut;
    const int n0 = int(gl_WorkGroupID.x) * TN, m0 = int(gl_WorkGroupID.y) * TM;
    {
        int col = n0 + stageColumn();
        int c = min(col, columns - 1);
        int n = c / hwOut, r = c - n * hwOut;
        int oy = r / p.OW, ox = r - oy * p.OW;
        gXBase = n * p.Cin * p.H * p.W;
        gIy0 = oy * p.SH - p.PH;
        gIx0 = ox * p.SW - p.PW;
    }
    const int K = p.Cin * p.KH * p.KW;
    const int z = int(gl_WorkGroupID.z);
    const int kBegin = p.splitK > 0 ? z * p.splitK : 0;
    const int kEnd = p.splitK > 0 ? min(K, kBegin + p.splitK) : K;
    clearTile();
    gemmTile(m0, p.Cout, kBegin, kEnd, n0 + stageColumn() < columns);

    const int count = columns * p.Cout;
    for (int j = 0; j < RN; j++)
    {
        int col = n0 + tileCol(j);
        if (col >= columns) continue;
        int n = col / hwOut, r = col - n * hwOut;
        for (int i = 0; i < RM; i++)
        {
            int co = m0 + tileRow(i);
            if (co >= p.Cout) continue;
            int idx = (n * p.Cout + co) * hwOut + r;
            float v = acc[i][j];
            if (p.splitK > 0) { partial[z * count + idx] = v; continue; }
            if ((p.flags & CONV_BIAS) != 0u) v += bias[co];
            if ((p.flags & CONV_RESIDUAL) != 0u) v += residual[idx];
            if ((p.flags & CONV_RELU) != 0u) v = max(v, 0.0);
            if ((p.flags & CONV_ACCUMULATE) != 0u) v += y[idx];
            y[idx] = v;
        }
    }
}
