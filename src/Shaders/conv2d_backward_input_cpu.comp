#version 450
// dx[n,ci,iy,ix] = sum_{co,ky,kx} w[co,ci,ky,kx] * dy[n,co,(iy+PH-ky)/SH,(ix+PW-kx)/SW] over the taps that divide
// evenly; written (flag bit 3: added). NCHW float32, weight [Cout,Cin,KH,KW].
// Implicit GEMM per stride phase (conv2d_phase.glsl): rows = Cin, columns = N*hp*wp, K = Cout*khp*kwp.
// _cpu variant: BM channels x BN pixels per invocation (8x8 unless the tuner's phases_cpu_RxC sets them), 8 lanes per workgroup, texel-buffer loads.
// Dispatch: (ceil(Cin / BM), ceil(N*ceil(H/SH)*ceil(W/SW) / (8 BN)), SH*SW), x and y swapped when ROWS_ON_X = 0: channel blocks on x vary fastest (cache reuse).
#include "cpu_block_spec.glsl"
#include "cpu_block.glsl"
#include "conv2d_params.glsl"
#include "conv_grid_cpu.glsl"
#include "conv2d_phase.glsl"
layout(local_size_x = 8) in;

layout(binding = 0, r32f) uniform readonly imageBuffer dy;
layout(binding = 1, r32f) uniform readonly imageBuffer w;
layout(std430, binding = 2) buffer DX { float dx[]; };

void main()
{
    const ConvPhase f = convPhase(int(gl_WorkGroupID.z), p.H, p.W, p.KH, p.KW, p.SH, p.SW, p.PH, p.PW);
    const int lane = int(gl_LocalInvocationID.x);
    const int ci0 = gridRows() * BM;
    const int hwp = f.hp * f.wp;
    const int columns = p.N * hwp;
    if (gridColumns() * WG_COLS >= columns) return;
    const int hwOut = p.OH * p.OW;
    const int khw = p.KH * p.KW;
    const float invHwp = 1.0 / float(hwp), invWp = 1.0 / float(f.wp);

    int dybase[BN], oy0[BN], ox0[BN];
    [[unroll]] for (int j = 0; j < BN; j++)
    {
        int col = gridColumns() * WG_COLS + lane + 8 * j;
        int c = min(col, columns - 1);
        ivec2 nr = divmod(c, hwp, invHwp), tt = divmod(nr.y, f.wp, invWp);
        int n = nr.x, t = tt.x, tw = tt.y;
        dybase[j] = n * p.Cout * hwOut;
        oy0[j] = col < columns ? f.cy + t : -0x100000;
        ox0[j] = f.cx + tw;
    }
    // Weight offset of (co = 0, ci, ky = ry, kx = rx) for each of the 8 rows.
    int wrow[BM];
    [[unroll]] for (int i = 0; i < BM; i++) wrow[i] = min(ci0 + i, p.Cin - 1) * khw + f.ry * p.KW + f.rx;

    float acc[BM][BN];
    [[unroll]] for (int i = 0; i < BM; i++) [[unroll]] for (int j = 0; j < BN; j++) acc[i][j] = 0.0;

    for (int co = 0; co < p.Cout; co++)
    for (int u = 0; u < f.khp; u++)
    {
        int rowoff[BN]; bool rowok[BN];
        [[unroll]] for (int j = 0; j < BN; j++)
        {
            int oy = oy0[j] - u;
            rowok[j] = uint(oy) < uint(p.OH);
            rowoff[j] = dybase[j] + co * hwOut + oy * p.OW;
        }
        int wk = co * p.Cin * khw + u * p.SH * p.KW;
        for (int v = 0; v < f.kwp; v++, wk += p.SW)
        {
            float b[BN], a[BM];
            [[unroll]] for (int j = 0; j < BN; j++)
            {
                int ox = ox0[j] - v;
                bool ok = rowok[j] && uint(ox) < uint(p.OW);
                float val = LOAD(dy, ok ? rowoff[j] + ox : 0);
                b[j] = ok ? val : 0.0;
            }
            [[unroll]] for (int i = 0; i < BM; i++) a[i] = LOAD(w, wrow[i] + wk);
            [[unroll]] for (int i = 0; i < BM; i++)
                [[unroll]] for (int j = 0; j < BN; j++) acc[i][j] = fma(a[i], b[j], acc[i][j]);
        }
    }

    const int hw = p.H * p.W;
    [[unroll]] for (int j = 0; j < BN; j++)
    {
        int col = gridColumns() * WG_COLS + lane + 8 * j;
        if (col >= columns) continue;
        ivec2 nr = divmod(col, hwp, invHwp), tt = divmod(nr.y, f.wp, invWp);
        int n = nr.x, t = tt.x, tw = tt.y;
        int pix = (f.iyFirst + p.SH * t) * p.W + f.ixFirst + p.SW * tw;
        [[unroll]] for (int i = 0; i < BM; i++)
        {
            int ci = ci0 + i;
            if (ci >= p.Cin) continue;
            int idx = (n * p.Cin + ci) * hw + pix;
            float v = acc[i][j];
            if ((p.flags & CONV_ACCUMULATE) != 0u) v += dx[idx];
            dx[idx] = v;
        }
    }
}
