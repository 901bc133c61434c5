// The body of conv2d_backward_weight_cpu and its _shuffle twin (SHUFFLE_ROWS: the rows' operand shared by subgroup shuffles, cpu_block.glsl).
// dw[co,ci,ky,kx] = sum_{n,oy,ox} dy[n,co,oy,ox] * x[n,ci,oy*SH-PH+ky,ox*SW-PW+kx]; written (flag bit 3: added).
// NCHW float32, weight [Cout,Cin,KH,KW]; the bias gradient is bias_grad.comp.
// Implicit GEMM: rows = Cout, columns = Cin*KH*KW (patch index), K = N*OH*OW in a fixed order (deterministic).
// _cpu variant: BM channels x BN patch entries per invocation (8x8 unless the tuner's direct_cpu_RxC sets them), 8 lanes per
// workgroup, texel-buffer loads.
// Dispatch: (ceil(Cin*KH*KW / (8 BN)), ceil(Cout / BM), 1).
#include "cpu_block_spec.glsl"
#include "cpu_block.glsl"
#include "conv2d_params.glsl"
layout(local_size_x = 8) in;

layout(binding = 0, r32f) uniform readonly imageBuffer dy;
layout(binding = 1, r32f) uniform readonly imageBuffer x;
layout(std430, binding = 2) buffer DW { float dw[]; };

void main()
{
    const int lane = int(gl_LocalInvocationID.x);
    const int co0 = int(gl_WorkGroupID.y) * BM;
    const int khw = p.KH * p.KW;
    const int columns = p.Cin * khw;
    const int hw = p.H * p.W;
    const int hwOut = p.OH * p.OW;

    // Per column (ci, ky, kx): channel offset and tap. Columns past the end read as padding.
    int cioff[BN], ky[BN], kx[BN];
    [[unroll]] for (int j = 0; j < BN; j++)
    {
        int col = int(gl_WorkGroupID.x) * WG_COLS + lane + 8 * j;
        int c = min(col, columns - 1);
        ivec2 cr = divmod(c, khw, 1.0 / float(khw)), yx = divmod(cr.y, p.KW, 1.0 / float(p.KW));
        cioff[j] = cr.x * hw;
        ky[j] = col < columns ? yx.x - p.PH : -0x100000;
        kx[j] = yx.y - p.PW;
    }
    int dyrow[BM];
    [[unroll]] for (int i = 0; i < BM; i++) dyrow[i] = min(co0 + i, p.Cout - 1) * hwOut;
#ifdef SHUFFLE_ROWS
    int laneDy[ROW_LOADS];
    [[unroll]] for (int j = 0; j < ROW_LOADS; j++) laneDy[j] = min(co0 + laneRow(j), p.Cout - 1) * hwOut;
#endif

    float acc[BM][BN];
    [[unroll]] for (int i = 0; i < BM; i++) [[unroll]] for (int j = 0; j < BN; j++) acc[i][j] = 0.0;

    for (int n = 0; n < p.N; n++)
    {
        const int xn = n * p.Cin * hw;
        const int dyn = n * p.Cout * hwOut;
        for (int oy = 0; oy < p.OH; oy++)
        {
            int rowoff[BN]; bool rowok[BN];
            [[unroll]] for (int j = 0; j < BN; j++)
            {
                int iy = oy * p.SH + ky[j];
                rowok[j] = uint(iy) < uint(p.H);
                rowoff[j] = xn + cioff[j] + iy * p.W;
            }
            for (int ox = 0; ox < p.OW; ox++)
            {
                float b[BN], a[BM];
                [[unroll]] for (int j = 0; j < BN; j++)
                {
                    int ix = ox * p.SW + kx[j];
                    bool ok = rowok[j] && uint(ix) < uint(p.W);
                    float val = LOAD(x, ok ? rowoff[j] + ix : 0);
                    b[j] = ok ? val : 0.0;
                }
                int o = dyn + oy * p.OW + ox;
#ifdef SHUFFLE_ROWS
                float v[ROW_LOADS];
                [[unroll]] for (int j = 0; j < ROW_LOADS; j++) v[j] = LOAD(dy, laneDy[j] + o);
                [[unroll]] for (int i = 0; i < BM; i++) a[i] = SHARED_ROW(v, i);
#else
                [[unroll]] for (int i = 0; i < BM; i++) a[i] = LOAD(dy, dyrow[i] + o);
#endif
                [[unroll]] for (int i = 0; i < BM; i++)
                    [[unroll]] for (int j = 0; j < BN; j++) acc[i][j] = fma(a[i], b[j], acc[i][j]);
            }
        }
    }

    [[unroll]] for (int j = 0; j < BN; j++)
    {
        int col = int(gl_WorkGroupID.x) * WG_COLS + lane + 8 * j;
        if (col >= columns) continue;
        [[unroll]] for (int i = 0; i < BM; i++)
        {
            int co = co0 + i;
            if (co >= p.Cout) continue;
            int idx = co * columns + col;
            float v = acc[i][j];
            if ((p.flags & CONV_ACCUMULATE) != 0u) v += dw[idx];
            dw[idx] = v;
        }
    }
}
