#version 450
// dx[n,ci,iy,ix] = sum_{co,ky,kx} w[co,ci,ky,kx] * dy[n,co,(iy+PH-ky)/SH,(ix+PW-kx)/SW] over the taps that divide
// evenly; written (flag bit 3: added). NCHW float32, weight [Cout,Cin,KH,KW].
// Implicit GEMM per stride phase (conv2d_phase.glsl): rows = Cin, columns = N*hp*wp, K = Cout*khp*kwp.
// _gpu variant: TM x TN tiles staged in shared memory, RM x RN per invocation (gemm_tile_gpu.glsl; 64x64, 4x4 by default).
// With splitK > 0, z = phase * slices + slice: slice sums k in [slice*splitK, (slice+1)*splitK) of its phase into
// partial[slice] (laid out as dx; every phase writes its positions, zeros past its K) and splitk_reduce.comp adds the
// slices in a fixed order (deterministic). slices = ceil(the largest phase's K / splitK).
// Dispatch: (ceil(N*ceil(H/SH)*ceil(W/SW) / TN), ceil(Cin / TM), SH*SW*slices).
#include "conv2d_params.glsl"
#include "conv2d_phase.glsl"

layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) readonly buffer Wt { float w[]; };
layout(std430, binding = 2) buffer DX { float dx[]; };
layout(std430, binding = 3) writeonly buffer Partial { float partial[]; };   // [slices, N, Cin, H, W]

ConvPhase gF;
int gDyBase, gOy0, gOx0;   // staging column: image base and output corner (oy = gOy0 - u)

float loadA(int m, int k)
{
    int taps = gF.khp * gF.kwp;
    int co = k / taps, r = k - co * taps;
    int u = r / gF.kwp, v = r - u * gF.kwp;
    return w[((co * p.Cin + m) * p.KH + gF.ry + p.SH * u) * p.KW + gF.rx + p.SW * v];
}

float loadB(int k)
{
    int taps = gF.khp * gF.kwp;
    int co = k / taps, r = k - co * taps;
    int u = r / gF.kwp, v = r - u * gF.kwp;
    int oy = gOy0 - u, ox = gOx0 - v;
    return (uint(oy) < uint(p.OH) && uint(ox) < uint(p.OW)) ? dy[gDyBase + (co * p.OH + oy) * p.OW + ox] : 0.0;
}

#include "gemm_tile_gpu.glsl"

void main()
{
    const int maxK = p.Cout * ((p.KH + p.SH - 1) / p.SH) * ((p.KW + p.SW - 1) / p.SW);
    const int slices = p.splitK > 0 ? (maxK + p.splitK - 1) / p.splitK : 1;
    const int slice = int(gl_WorkGroupID.z) % slices;
    gF = convPhase(int(gl_WorkGroupID.z) / slices, p.H, p.W, p.KH, p.KW, p.SH, p.SW, p.PH, p.PW);
    const int hwp = gF.hp * gF.wp;
    const int columns = p.N * hwp;
    const int n0 = int(gl_WorkGroupID.x) * TN, m0 = int(gl_WorkGroupID.y) * TM;
    if (n0 >= columns) return;   // uniform per workgroup: this phase is smaller than the grid
    {
        int col = n0 + stageColumn();
        int c = min(col, columns - 1);
        int n = c / hwp, r = c - n * hwp;
        int t = r / gF.wp, tw = r - t * gF.wp;
        gDyBase = n * p.Cout * p.OH * p.OW;
        gOy0 = gF.cy + t;
        gOx0 = gF.cx + tw;
    }
    const int K = p.Cout * gF.khp * gF.kwp;
    const int kBegin = p.splitK > 0 ? min(K, slice * p.splitK) : 0;
    const int kEnd = p.splitK > 0 ? min(K, kBegin + p.splitK) : K;
    clearTile();
    gemmTile(m0, p.Cin, kBegin, kEnd, n0 + stageColumn() < columns);

    const int hw = p.H * p.W;
    const int count = p.N * p.Cin * hw;
    for (int j = 0; j < RN; j++)
    {
        int col = n0 + tileCol(j);
        if (col >= columns) continue;
        int n = col / hwp, r = col - n * hwp;
        int t = r / gF.wp, tw = r - t * gF.wp;
        int pix = (gF.iyFirst + p.SH * t) * p.W + gF.ixFirst + p.SW * tw;
        for (int i = 0; i < RM; i++)
        {
            int ci = m0 + tileRow(i);
            if (ci >= p.Cin) continue;
            int idx = (n * p.Cin + ci) * hw + pix;
            float v = acc[i][j];
            if (p.splitK > 0) { partial[slice * count + idx] = v; continue; }
            if ((p.flags & CONV_ACCUMULATE) != 0u) v += dx[idx];
            dx[idx] = v;
        }
    }
}
