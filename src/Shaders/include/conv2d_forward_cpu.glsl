// The body of conv2d_forward_cpu and its _shuffle twin (SHUFFLE_ROWS: the rows' operand shared by subgroup shuffles, cpu_block.glsl).
// y[n,co,oy,ox] = sum_{ci,ky,kx} w[co,ci,ky,kx] * x[n,ci,oy*SH-PH+ky,ox*SW-PW+kx], then optional +bias[co],
// +residual (same shape as y), ReLU, and += into y. NCHW float32, weight [Cout,Cin,KH,KW].
// Implicit GEMM without im2col: rows = Cout, columns = N*OH*OW (batch flattened), K = Cin*KH*KW.
// _cpu variant: BM channels x BN pixels per invocation (8x8 unless the tuner's direct_cpu_RxC sets them, cpu_block_spec.glsl),
// 8 lanes per workgroup (8 BN pixels), texel-buffer loads;
// when K % 4 == 0 the weights are read 4 taps at a time through an rgba32f view of the same buffer (w4),
// which measured 20-40% faster on llvmpipe. Dispatch: (ceil(Cout / BM), ceil(N*OH*OW / (8 BN)), 1), x and y swapped when ROWS_ON_X = 0: channel blocks
// vary fastest, so the workgroups a CPU runs back to back share one pixel block's input in its cache.
#include "cpu_block_spec.glsl"
#include "cpu_block.glsl"
#include "conv2d_params.glsl"
#include "conv_grid_cpu.glsl"
layout(local_size_x = 8) in;

layout(binding = 0, r32f) uniform readonly imageBuffer x;
layout(binding = 1, r32f) uniform readonly imageBuffer w;
layout(binding = 2, r32f) uniform readonly imageBuffer bias;
layout(binding = 3, r32f) uniform readonly imageBuffer residual;
layout(std430, binding = 4) buffer Y { float y[]; };
layout(binding = 5, rgba32f) uniform readonly imageBuffer w4;   // w again, as vec4 texels

void main()
{
    const int lane = int(gl_LocalInvocationID.x);
    const int co0 = gridRows() * BM;
    const int hwOut = p.OH * p.OW;
    const int columns = p.N * hwOut;
    const int K = p.Cin * p.KH * p.KW;
    const int hw = p.H * p.W;
    const float invHwOut = 1.0 / float(hwOut), invOW = 1.0 / float(p.OW);

    // Per-column (pixel) state, decoded once: image base, top-left input corner.
    int xbase[BN], iy0[BN], ix0[BN];
    [[unroll]] for (int j = 0; j < BN; j++)
    {
        int col = gridColumns() * WG_COLS + lane + 8 * j;
        int c = min(col, columns - 1);
        ivec2 nr = divmod(c, hwOut, invHwOut), yx = divmod(nr.y, p.OW, invOW);
        int n = nr.x, oy = yx.x, ox = yx.y;
        xbase[j] = n * p.Cin * hw;
        // A column past the end reads as padding (far outside the image) and is never stored.
        iy0[j] = col < columns ? oy * p.SH - p.PH : -0x100000;
        ix0[j] = ox * p.SW - p.PW;
    }
    int wrow[BM];
    [[unroll]] for (int i = 0; i < BM; i++) wrow[i] = min(co0 + i, p.Cout - 1) * K;
#ifdef SHUFFLE_ROWS
    int laneW[ROW_LOADS];
    [[unroll]] for (int j = 0; j < ROW_LOADS; j++) laneW[j] = min(co0 + laneRow(j), p.Cout - 1) * K;
#endif

    float acc[BM][BN];
    [[unroll]] for (int i = 0; i < BM; i++) [[unroll]] for (int j = 0; j < BN; j++) acc[i][j] = 0.0;

    if ((K & 3) == 0)
    {
        // One flattened k loop: weight rows are 16-byte aligned, so a4[i] holds taps k4..k4+3 of row i.
        int ci = 0, ky = 0, kx = 0;
        int rowoff[BN]; bool rowok[BN];
        [[unroll]] for (int j = 0; j < BN; j++) { rowok[j] = uint(iy0[j]) < uint(p.H); rowoff[j] = xbase[j] + iy0[j] * p.W; }
        for (int k4 = 0; k4 < K; k4 += 4)
        {
            vec4 a4[BM];
#ifdef SHUFFLE_ROWS
            vec4 v4[ROW_LOADS];
            [[unroll]] for (int j = 0; j < ROW_LOADS; j++) v4[j] = imageLoad(w4, (laneW[j] + k4) >> 2);
            [[unroll]] for (int i = 0; i < BM; i++) a4[i] = SHARED_ROW(v4, i);
#else
            [[unroll]] for (int i = 0; i < BM; i++) a4[i] = imageLoad(w4, (wrow[i] + k4) >> 2);
#endif
            [[unroll]] for (int kk = 0; kk < 4; kk++)
            {
                float b[BN];
                [[unroll]] for (int j = 0; j < BN; j++)
                {
                    int ix = ix0[j] + kx;
                    bool ok = rowok[j] && uint(ix) < uint(p.W);
                    float v = LOAD(x, ok ? rowoff[j] + ix : 0);
                    b[j] = ok ? v : 0.0;
                }
                [[unroll]] for (int i = 0; i < BM; i++)
                    [[unroll]] for (int j = 0; j < BN; j++) acc[i][j] = fma(a4[i][kk], b[j], acc[i][j]);
                if (++kx == p.KW)
                {
                    kx = 0;
                    if (++ky == p.KH) { ky = 0; ci++; }
                    [[unroll]] for (int j = 0; j < BN; j++)
                    {
                        int iy = iy0[j] + ky;
                        rowok[j] = uint(iy) < uint(p.H);
                        rowoff[j] = xbase[j] + ci * hw + iy * p.W;
                    }
                }
            }
        }
    }
    else
    {
        // Scalar weights (e.g. the first layer, Cin = 1 or 3).
        int k = 0;
        for (int ci = 0; ci < p.Cin; ci++)
        for (int ky = 0; ky < p.KH; ky++)
        {
            int rowoff[BN]; bool rowok[BN];
            [[unroll]] for (int j = 0; j < BN; j++)
            {
                int iy = iy0[j] + ky;
                rowok[j] = uint(iy) < uint(p.H);
                rowoff[j] = xbase[j] + ci * hw + iy * p.W;
            }
            for (int kx = 0; kx < p.KW; kx++, k++)
            {
                float b[BN], a[BM];
                [[unroll]] for (int j = 0; j < BN; j++)
                {
                    int ix = ix0[j] + kx;
                    bool ok = rowok[j] && uint(ix) < uint(p.W);
                    float v = LOAD(x, ok ? rowoff[j] + ix : 0);
                    b[j] = ok ? v : 0.0;
                }
#ifdef SHUFFLE_ROWS
                float v[ROW_LOADS];
                [[unroll]] for (int jj = 0; jj < ROW_LOADS; jj++) v[jj] = LOAD(w, laneW[jj] + k);
                [[unroll]] for (int i = 0; i < BM; i++) a[i] = SHARED_ROW(v, i);
#else
                [[unroll]] for (int i = 0; i < BM; i++) a[i] = LOAD(w, wrow[i] + k);
#endif
                [[unroll]] for (int i = 0; i < BM; i++)
                    [[unroll]] for (int j = 0; j < BN; j++) acc[i][j] = fma(a[i], b[j], acc[i][j]);
            }
        }
    }

    [[unroll]] for (int j = 0; j < BN; j++)
    {
        int col = gridColumns() * WG_COLS + lane + 8 * j;
        if (col >= columns) continue;
        ivec2 nr = divmod(col, hwOut, invHwOut);
        int n = nr.x, r = nr.y;
        [[unroll]] for (int i = 0; i < BM; i++)
        {
            int co = co0 + i;
            if (co >= p.Cout) continue;
            int idx = (n * p.Cout + co) * hwOut + r;
            float v = acc[i][j];
            if ((p.flags & CONV_BIAS) != 0u) v += LOAD(bias, co);
            if ((p.flags & CONV_RESIDUAL) != 0u) v += LOAD(residual, idx);
            if ((p.flags & CONV_RELU) != 0u) v = max(v, 0.0);
            if ((p.flags & CONV_ACCUMULATE) != 0u) v += y[idx];
            y[idx] = v;
        }
    }
}
