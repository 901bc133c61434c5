#version 450
// dx[n,ci,iy,ix] = sum_{co,ky,kx} w[co,ci,ky,kx] * dy[n,co,(iy+PH-ky)/SH,(ix+PW-kx)/SW] over the taps that divide
// evenly; written (flag bit 3: added). NCHW float32, weight [Cout,Cin,KH,KW].
// Implicit GEMM per stride phase (conv2d_phase.glsl): rows = Cin, columns = N*hp*wp, K = Cout*khp*kwp.
// _gpu variant: 64x64 tiles staged in shared memory by 256 invocations (gemm_tile_gpu.glsl).
// Dispatch: (ceil(N*ceil(H/SH)*ceil(W/SW) / 64), ceil(Cin / 64), SH*SW).
#include "conv2d_params.glsl"
#include "conv2d_phase.glsl"

layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) readonly buffer Wt { float w[]; };
layout(std430, binding = 2) buffer DX { float dx[]; };

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
    gF = convPhase(int(gl_WorkGroupID.z), p.H, p.W, p.KH, p.KW, p.SH, p.SW, p.PH, p.PW);
    const int hwp = gF.hp * gF.wp;
    const int columns = p.N * hwp;
    const int n0 = int(gl_WorkGroupID.x) * TN, m0 = int(gl_WorkGroupID.y) * TM;
    if (n0 >= columns) return;   // uniform per workgroup: this phase is smaller than the grid
    {
        int col = n0 + int(gl_LocalInvocationIndex) % TN;
        int c = min(col, columns - 1);
        int n = c / hwp, r = c - n * hwp;
        int t = r / gF.wp, tw = r - t * gF.wp;
        gDyBase = n * p.Cout * p.OH * p.OW;
        gOy0 = gF.cy + t;
        gOx0 = gF.cx + tw;
    }
    float acc[4][4];
    for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) acc[i][j] = 0.0;
    gemmTile(m0, p.Cin, 0, p.Cout * gF.khp * gF.kwp, n0 + int(gl_LocalInvocationIndex) % TN < columns, acc);

    const int tx = int(gl_LocalInvocationIndex) % 16, ty = int(gl_LocalInvocationIndex) / 16;
    const int hw = p.H * p.W;
    for (int j = 0; j < 4; j++)
    {
        int col = n0 + tx + 16 * j;
        if (col >= columns) continue;
        int n = col / hwp, r = col - n * hwp;
        int t = r / gF.wp, tw = r - t * gF.wp;
        int pix = (gF.iyFirst + p.SH * t) * p.W + gF.ixFirst + p.SW * tw;
        for (int i = 0; i < 4; i++)
        {
            int ci = m0 + ty + 16 * i;
            if (ci >= p.Cin) continue;
            int idx = (n * p.Cin + ci) * hw + pix;
            float v = acc[i][j];
            if ((p.flags & CONV_ACCUMULATE) != 0u) v += dx[idx];
            dx[idx] = v;
        }
    }
}
