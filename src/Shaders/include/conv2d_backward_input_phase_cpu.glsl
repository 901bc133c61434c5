// The body of conv2d_backward_input_phase_cpu and its _shuffle twin (SHUFFLE_ROWS: the rows' operand shared by subgroup shuffles, cpu_block.glsl).
// dx[n,ci,iy,ix] = sum_{co,ky,kx} w[co,ci,ky,kx] * dy[n,co,(iy+PH-ky)/SH,(ix+PW-kx)/SW] over the taps that divide
// evenly; written (flag bit 3: added). NCHW float32. One stride phase per z (conv2d_phase.glsl), each run as the
// forward kernel runs: rows = Cin, columns = N*hp*wp, one flattened k loop over (co, u, v) with weights pre-arranged
// per phase (conv2d_weight_phases_cpu) and read 4 taps at a time as rgba32f. Phases without taps (three of the
// four of a 1x1/2 conv) run no k loop: they store zeros, or return at once when accumulating.
// _cpu blocking (cpu_block.glsl): BM channels x BN pixels per invocation (8x8 unless the tuner's phase_gemm_cpu_RxC sets
// them, cpu_block_spec.glsl), 8 lanes per workgroup, texel-buffer loads.
// Dispatch: (ceil(Cin / BM), ceil(N*ceil(H/SH)*ceil(W/SW) / (8 BN)), SH*SW): channel blocks vary fastest (cache reuse).
#include "cpu_block_spec.glsl"
#include "cpu_block.glsl"
#include "conv2d_params.glsl"
#include "conv2d_phase.glsl"
#include "conv2d_phase_weights.glsl"
layout(local_size_x = 8) in;

layout(binding = 0, r32f) uniform readonly imageBuffer dy;
layout(binding = 1, rgba32f) uniform readonly imageBuffer wp4;
layout(std430, binding = 2) buffer DX { float dx[]; };

void main()
{
    const int z = int(gl_WorkGroupID.z);
    const ConvPhase f = convPhase(z, p.H, p.W, p.KH, p.KW, p.SH, p.SW, p.PH, p.PW);
    const bool accumulate = (p.flags & CONV_ACCUMULATE) != 0u;
    const int K = p.Cout * f.khp * f.kwp;
    const int lane = int(gl_LocalInvocationID.x);
    const int ci0 = int(gl_WorkGroupID.x) * BM;
    const int hwp = f.hp * f.wp;
    const int columns = p.N * hwp;
    if (int(gl_WorkGroupID.y) * WG_COLS >= columns || (K == 0 && accumulate)) return;
    const int hwOut = p.OH * p.OW;
    const float invHwp = 1.0 / float(hwp), invWp = 1.0 / float(f.wp);

    float acc[BM][BN];
    [[unroll]] for (int i = 0; i < BM; i++) [[unroll]] for (int j = 0; j < BN; j++) acc[i][j] = 0.0;

    if (K > 0)
    {
        int dybase[BN], oy0[BN], ox0[BN];
        [[unroll]] for (int j = 0; j < BN; j++)
        {
            int col = int(gl_WorkGroupID.y) * WG_COLS + lane + 8 * j;
            ivec2 nr = divmod(min(col, columns - 1), hwp, invHwp), tt = divmod(nr.y, f.wp, invWp);
            dybase[j] = nr.x * p.Cout * hwOut;
            oy0[j] = col < columns ? f.cy + tt.x : -0x100000;   // past the end: reads as padding, never stored
            ox0[j] = f.cx + tt.y;
        }
        const int kp4 = (K + 3) >> 2;
        const int base4 = phaseBlockOffset(z) >> 2;
        int wrow[BM];
        [[unroll]] for (int i = 0; i < BM; i++) wrow[i] = base4 + min(ci0 + i, p.Cin - 1) * kp4;
#ifdef SHUFFLE_ROWS
        int laneW[ROW_LOADS];
        [[unroll]] for (int j = 0; j < ROW_LOADS; j++) laneW[j] = base4 + min(ci0 + laneRow(j), p.Cin - 1) * kp4;
#endif

        // Taps (co, u, v) advance with k; the dy row of each column changes only when v wraps. k past K (the
        // padding of the last vec4) has co == Cout: rowok is false there, and its weights are zero.
        int co = 0, u = 0, v = 0;
        int rowoff[BN]; bool rowok[BN];
        [[unroll]] for (int j = 0; j < BN; j++) { rowok[j] = uint(oy0[j]) < uint(p.OH); rowoff[j] = dybase[j] + oy0[j] * p.OW; }
        for (int k4 = 0; k4 < kp4; k4++)
        {
            vec4 a4[BM];
#ifdef SHUFFLE_ROWS
            vec4 v4[ROW_LOADS];
            [[unroll]] for (int j = 0; j < ROW_LOADS; j++) v4[j] = imageLoad(wp4, laneW[j] + k4);
            [[unroll]] for (int i = 0; i < BM; i++) a4[i] = SHARED_ROW(v4, i);
#else
            [[unroll]] for (int i = 0; i < BM; i++) a4[i] = imageLoad(wp4, wrow[i] + k4);
#endif
            [[unroll]] for (int kk = 0; kk < 4; kk++)
            {
                float b[BN];
                [[unroll]] for (int j = 0; j < BN; j++)
                {
                    int ox = ox0[j] - v;
                    bool ok = rowok[j] && uint(ox) < uint(p.OW);
                    float val = LOAD(dy, ok ? rowoff[j] + ox : 0);
                    b[j] = ok ? val : 0.0;
                }
                [[unroll]] for (int i = 0; i < BM; i++)
                    [[unroll]] for (int j = 0; j < BN; j++) acc[i][j] = fma(a4[i][kk], b[j], acc[i][j]);
                if (++v == f.kwp)
                {
                    v = 0;
                    if (++u == f.khp) { u = 0; co++; }
                    [[unroll]] for (int j = 0; j < BN; j++)
                    {
                        int oy = oy0[j] - u;
                        rowok[j] = co < p.Cout && uint(oy) < uint(p.OH);
                        rowoff[j] = dybase[j] + co * hwOut + oy * p.OW;
                    }
                }
            }
        }
    }

    const int hw = p.H * p.W;
    [[unroll]] for (int j = 0; j < BN; j++)
    {
        int col = int(gl_WorkGroupID.y) * WG_COLS + lane + 8 * j;
        if (col >= columns) continue;
        ivec2 nr = divmod(col, hwp, invHwp), tt = divmod(nr.y, f.wp, invWp);
        int pix = (f.iyFirst + p.SH * tt.x) * p.W + f.ixFirst + p.SW * tt.y;
        [[unroll]] for (int i = 0; i < BM; i++)
        {
            int ci = ci0 + i;
            if (ci >= p.Cin) continue;
            int idx = (nr.x * p.Cin + ci) * hw + pix;
            float val = acc[i][j];
            if (accumulate) val += dx[idx];
            dx[idx] = val;
        }
    }
}
