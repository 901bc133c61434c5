#version 450
// C(m,n) = sum_k A(m,k) B(k,n) with arbitrary element strides (gemm_params.glsl), optional bias, ReLU, accumulate.
// Used by the linear layer forward and backward (x W^T, dy W, dy^T x): transposes are expressed as strides.
// _cpu variant: 8 rows x 8 columns per invocation, 8 lanes per workgroup share the rows (uniform A loads)
// and take interleaved columns; inputs read through r32f texel buffers. Dispatch: (ceil(N/64), ceil(M/8), 1).
#include "cpu_block.glsl"
#include "gemm_params.glsl"
layout(local_size_x = 8) in;

layout(binding = 0, r32f) uniform readonly imageBuffer a;
layout(binding = 1, r32f) uniform readonly imageBuffer b;
layout(binding = 2, r32f) uniform readonly imageBuffer bias;
layout(std430, binding = 3) buffer C { float c[]; };

void main()
{
    const int lane = int(gl_LocalInvocationID.x);
    const int m0 = int(gl_WorkGroupID.y) * BM;
    const int n0 = int(gl_WorkGroupID.x) * WG_COLS + lane;

    // Out-of-range rows and columns read a valid clamped element and are never stored.
    int arow[BM], bcol[BN];
    [[unroll]] for (int i = 0; i < BM; i++) arow[i] = min(m0 + i, p.M - 1) * p.sam;
    [[unroll]] for (int j = 0; j < BN; j++) bcol[j] = min(n0 + 8 * j, p.N - 1) * p.sbn;

    float acc[BM][BN];
    [[unroll]] for (int i = 0; i < BM; i++) [[unroll]] for (int j = 0; j < BN; j++) acc[i][j] = 0.0;

    int ak = 0, bk = 0;
    for (int k = 0; k < p.K; k++, ak += p.sak, bk += p.sbk)
    {
        float av[BM], bv[BN];
        [[unroll]] for (int i = 0; i < BM; i++) av[i] = LOAD(a, arow[i] + ak);
        [[unroll]] for (int j = 0; j < BN; j++) bv[j] = LOAD(b, bcol[j] + bk);
        [[unroll]] for (int i = 0; i < BM; i++)
            [[unroll]] for (int j = 0; j < BN; j++) acc[i][j] = fma(av[i], bv[j], acc[i][j]);
    }

    [[unroll]] for (int i = 0; i < BM; i++)
    {
        int m = m0 + i;
        if (m >= p.M) continue;
        [[unroll]] for (int j = 0; j < BN; j++)
        {
            int n = n0 + 8 * j;
            if (n >= p.N) continue;
            int idx = m * p.scm + n * p.scn;
            float v = acc[i][j];
            if ((p.flags & GEMM_BIAS_COLUMN) != 0u) v += LOAD(bias, n);
            if ((p.flags & GEMM_BIAS_ROW) != 0u) v += LOAD(bias, m);
            if ((p.flags & GEMM_RELU) != 0u) v = max(v, 0.0);
            if ((p.flags & GEMM_ACCUMULATE) != 0u) v += c[idx];
            c[idx] = v;
        }
    }
}
