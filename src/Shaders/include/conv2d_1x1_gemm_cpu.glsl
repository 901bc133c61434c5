// The body of conv2d_1x1_gemm_cpu and its _shuffle twin (SHUFFLE_ROWS: the rows' operand shared by subgroup shuffles, cpu_block.glsl).
// A 1x1 pad-0 conv as a plain GEMM, out[n,m,oy*OSH,ox*OSW] = sum_k a[m,k] * src[n,k,oy*ISH,ox*ISW] over the OH x OW
// grid, then optional +bias[m], +residual, ReLU, += out. Forward: a = w [Cout][Cin], src = x read at the stride, out = y.
// Flag bit 4 (transposed, backward input): a = w^T [Cin][Cout] (conv2d_weight_flip into scratch), src = dy, out = dx
// written at the stride, the SHxSW-1 positions of each stride block that get no gradient zeroed in the same pass.
// rows = M, columns = N*OH*OW, K: no tap bookkeeping and no bounds checks in the k loop; a read 4 k at a time when
// K % 4 == 0. _cpu blocking (cpu_block.glsl): 8 rows x 8 columns per invocation, 8 lanes per workgroup; columns
// interleaved (lane + 8j), or with SRC_VEC4 (src read at stride 1, its H*W % 4 == 0) two runs of 4 (4*lane + 32jj + q)
// read as two rgba32f loads instead of 8 scalar ones.
// Dispatch: (ceil(M / BM), ceil(N*OH*OW / (8 BN)), 1) (BM x BN: 8x8 unless the tuner's gemm_1x1_cpu_RxC sets them): row blocks vary fastest (back-to-back workgroups share src).
#include "cpu_block_spec.glsl"
#include "cpu_block.glsl"
#include "conv2d_params.glsl"
layout(local_size_x = 8) in;

layout(binding = 0, r32f) uniform readonly imageBuffer src;
layout(binding = 1, r32f) uniform readonly imageBuffer a;
layout(binding = 2, rgba32f) uniform readonly imageBuffer a4;   // a again, as vec4 texels
layout(binding = 3, r32f) uniform readonly imageBuffer bias;
layout(binding = 4, r32f) uniform readonly imageBuffer residual;
layout(std430, binding = 5) buffer Out { float dst[]; };
layout(binding = 6, rgba32f) uniform readonly imageBuffer src4;   // src again, as vec4 texels (SRC_VEC4)

layout(constant_id = 0) const bool SRC_VEC4 = false;

// Column j of this invocation.
int column(int lane, int j)
{
    return int(gl_WorkGroupID.y) * WG_COLS + (SRC_VEC4 ? 4 * lane + 32 * (j >> 2) + (j & 3) : lane + 8 * j);
}

const uint CONV_TRANSPOSED = 16u;

void main()
{
    const bool transposed = (p.flags & CONV_TRANSPOSED) != 0u;
    const int M = transposed ? p.Cin : p.Cout, K = transposed ? p.Cout : p.Cin;
    const int srcHw = transposed ? p.OH * p.OW : p.H * p.W, srcW = transposed ? p.OW : p.W;
    const int srcSH = transposed ? 1 : p.SH, srcSW = transposed ? 1 : p.SW;
    const int dstH = transposed ? p.H : p.OH, dstW = transposed ? p.W : p.OW;
    const int dstSH = transposed ? p.SH : 1, dstSW = transposed ? p.SW : 1;
    const int lane = int(gl_LocalInvocationID.x);
    const int m0 = int(gl_WorkGroupID.x) * BM;
    const int hwGrid = p.OH * p.OW;
    const int columns = p.N * hwGrid;
    const float invHw = 1.0 / float(hwGrid), invW = 1.0 / float(p.OW);

    // Columns past the end read the last column and are never stored.
    int boff[BN];
    [[unroll]] for (int j = 0; j < BN; j++)
    {
        // Past the end: the last column (SRC_VEC4: the last run of 4, whole since columns % 4 == 0); never stored.
        int col = min(column(lane, j), SRC_VEC4 ? columns - 4 + (j & 3) : columns - 1);
        ivec2 nr = divmod(col, hwGrid, invHw), yx = divmod(nr.y, p.OW, invW);
        boff[j] = nr.x * K * srcHw + yx.x * srcSH * srcW + yx.y * srcSW;
    }
    int arow[BM];
    [[unroll]] for (int i = 0; i < BM; i++) arow[i] = min(m0 + i, M - 1) * K;
#ifdef SHUFFLE_ROWS
    int laneA[ROW_LOADS];
    [[unroll]] for (int j = 0; j < ROW_LOADS; j++) laneA[j] = min(m0 + laneRow(j), M - 1) * K;
#endif

    float acc[BM][BN];
    [[unroll]] for (int i = 0; i < BM; i++) [[unroll]] for (int j = 0; j < BN; j++) acc[i][j] = 0.0;

    if ((K & 3) == 0)
    {
        for (int k4 = 0; k4 < K; k4 += 4)
        {
            vec4 av[BM];
#ifdef SHUFFLE_ROWS
            vec4 v4[ROW_LOADS];
            [[unroll]] for (int j = 0; j < ROW_LOADS; j++) v4[j] = imageLoad(a4, (laneA[j] + k4) >> 2);
            [[unroll]] for (int i = 0; i < BM; i++) av[i] = SHARED_ROW(v4, i);
#else
            [[unroll]] for (int i = 0; i < BM; i++) av[i] = imageLoad(a4, (arow[i] + k4) >> 2);
#endif
            [[unroll]] for (int kk = 0; kk < 4; kk++)
            {
                const int koff = (k4 + kk) * srcHw;
                float b[BN];
                if (SRC_VEC4)
                    [[unroll]] for (int jj = 0; jj < BN; jj += 4)
                    {
                        vec4 b4 = imageLoad(src4, (boff[jj] + koff) >> 2);
                        [[unroll]] for (int q = 0; q < 4; q++) b[jj + q] = b4[q];
                    }
                else
                    [[unroll]] for (int j = 0; j < BN; j++) b[j] = LOAD(src, boff[j] + koff);
                [[unroll]] for (int i = 0; i < BM; i++)
                    [[unroll]] for (int j = 0; j < BN; j++) acc[i][j] = fma(av[i][kk], b[j], acc[i][j]);
            }
        }
    }
    else
    {
        for (int k = 0; k < K; k++)
        {
            const int koff = k * srcHw;
            float av[BM], b[BN];
#ifdef SHUFFLE_ROWS
            float v[ROW_LOADS];
            [[unroll]] for (int j = 0; j < ROW_LOADS; j++) v[j] = LOAD(a, laneA[j] + k);
            [[unroll]] for (int i = 0; i < BM; i++) av[i] = SHARED_ROW(v, i);
#else
            [[unroll]] for (int i = 0; i < BM; i++) av[i] = LOAD(a, arow[i] + k);
#endif
            [[unroll]] for (int j = 0; j < BN; j++) b[j] = LOAD(src, boff[j] + koff);
            [[unroll]] for (int i = 0; i < BM; i++)
                [[unroll]] for (int j = 0; j < BN; j++) acc[i][j] = fma(av[i], b[j], acc[i][j]);
        }
    }

    const int dstHw = dstH * dstW;
    const bool zeroRest = transposed && (p.flags & CONV_ACCUMULATE) == 0u && dstSH * dstSW > 1;
    [[unroll]] for (int j = 0; j < BN; j++)
    {
        int col = column(lane, j);
        if (col >= columns) continue;
        ivec2 nr = divmod(col, hwGrid, invHw), yx = divmod(nr.y, p.OW, invW);
        const int pix = yx.x * dstSH * dstW + yx.y * dstSW;
        [[unroll]] for (int i = 0; i < BM; i++)
        {
            int m = m0 + i;
            if (m >= M) continue;
            int idx = (nr.x * M + m) * dstHw + pix;
            float v = acc[i][j];
            if ((p.flags & CONV_BIAS) != 0u) v += LOAD(bias, m);
            if ((p.flags & CONV_RESIDUAL) != 0u) v += LOAD(residual, idx);
            if ((p.flags & CONV_RELU) != 0u) v = max(v, 0.0);
            if ((p.flags & CONV_ACCUMULATE) != 0u) v += dst[idx];
            dst[idx] = v;
        }
    }
    // The rest of each stride block (OH*SH >= H, so the blocks cover dx). A loop of its own: nested in the
    // unrolled loops above, its dynamic trip counts would keep them rolled and push acc out to indexed memory.
    if (!zeroRest) return;
    for (int j = 0; j < BN; j++)
    {
        int col = column(lane, j);
        if (col >= columns) continue;
        ivec2 nr = divmod(col, hwGrid, invHw), yx = divmod(nr.y, p.OW, invW);
        const int dy0 = yx.x * dstSH, dx0 = yx.y * dstSW;
        for (int i = 0; i < BM && m0 + i < M; i++)
        {
            int idx = (nr.x * M + m0 + i) * dstHw + dy0 * dstW + dx0;
            for (int ry = 0; ry < dstSH && dy0 + ry < dstH; ry++)
                for (int rx = ry == 0 ? 1 : 0; rx < dstSW && dx0 + rx < dstW; rx++) dst[idx + ry * dstW + rx] = 0.0;
        }
    }
}
