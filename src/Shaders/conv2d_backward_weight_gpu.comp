#version 450
// dw[co,ci,ky,kx] = sum_{n,oy,ox} dy[n,co,oy,ox] * x[n,ci,oy*SH-PH+ky,ox*SW-PW+kx]; written (flag bit 3: added).
// NCHW float32, weight [Cout,Cin,KH,KW]; the bias gradient is bias_grad.comp.
// Implicit GEMM: rows = Cout, columns = Cin*KH*KW, K = N*OH*OW in a fixed order (deterministic).
// _gpu variant: TM x TN tiles staged in shared memory, RM x RN per invocation (gemm_tile_gpu.glsl; 64x64, 4x4 by default). K is long and the
// tile grid small, so with splitK > 0 slice z sums k in [z*splitK, (z+1)*splitK) into partial[z] and
// splitk_reduce.comp adds the slices in a fixed order (deterministic, no atomics).
// Dispatch: (ceil(Cin*KH*KW / TN), ceil(Cout / TM), slices).
#include "conv2d_params.glsl"

layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) buffer DW { float dw[]; };
layout(std430, binding = 3) writeonly buffer Partial { float partial[]; };   // [slices, Cout, Cin*KH*KW]

int gCiOff, gKy, gKx;   // staging column (ci, ky, kx): channel offset and tap minus padding

float loadA(int m, int k)
{
    int hwOut = p.OH * p.OW;
    int n = k / hwOut, r = k - n * hwOut;
    return dy[(n * p.Cout + m) * hwOut + r];
}

float loadB(int k)
{
    int hwOut = p.OH * p.OW;
    int n = k / hwOut, r = k - n * hwOut;
    int oy = r / p.OW, ox = r - oy * p.OW;
    int iy = oy * p.SH + gKy, ix = ox * p.SW + gKx;
    return (uint(iy) < uint(p.H) && uint(ix) < uint(p.W)) ? x[n * p.Cin * p.H * p.W + gCiOff + iy * p.W + ix] : 0.0;
}

#include "gemm_tile_gpu.glsl"

void main()
{
    const int khw = p.KH * p.KW;
    const int columns = p.Cin * khw;
    const int n0 = int(gl_WorkGroupID.x) * TN, m0 = int(gl_WorkGroupID.y) * TM;
    {
        int col = n0 + stageColumn();
        int c = min(col, columns - 1);
        int ci = c / khw, r = c - ci * khw;
        int ky = r / p.KW;
        gCiOff = ci * p.H * p.W;
        gKy = ky - p.PH;
        gKx = r - ky * p.KW - p.PW;
    }
    clearTile();
    const int K = p.N * p.OH * p.OW;
    const int z = int(gl_WorkGroupID.z);
    const int kBegin = p.splitK > 0 ? z * p.splitK : 0;
    const int kEnd = p.splitK > 0 ? min(K, kBegin + p.splitK) : K;
    gemmTile(m0, p.Cout, kBegin, kEnd, n0 + stageColumn() < columns);

    for (int j = 0; j < RN; j++)
    {
        int col = n0 + tileCol(j);
        if (col >= columns) continue;
        for (int i = 0; i < RM; i++)
        {
            int co = m0 + tileRow(i);
            if (co >= p.Cout) continue;
            int idx = co * columns + col;
            float v = acc[i][j];
            if (p.splitK > 0) { partial[z * p.Cout * columns + idx] = v; continue; }
            if ((p.flags & CONV_ACCUMULATE) != 0u) v += dw[idx];
            dw[idx] = v;
        }
    }
}
