#version 450
// C(m,n) = sum_k A(m,k) B(k,n) with arbitrary element strides (gemm_params.glsl), optional bias, ReLU, accumulate.
// Used by the linear layer forward and backward (x W^T, dy W, dy^T x): transposes are expressed as strides.
// _gpu variant: TM x TN tiles staged in shared memory, RM x RN per invocation (gemm_tile_gpu.glsl; 64x64, 4x4 by default).
// Dispatch: (ceil(N/TN), ceil(M/TM), 1).
#include "gemm_params.glsl"

layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) readonly buffer Bias { float bias[]; };
layout(std430, binding = 3) buffer C { float c[]; };

int gBCol;   // staging column offset n*sbn

float loadA(int m, int k) { return a[m * p.sam + k * p.sak]; }
float loadB(int k) { return b[k * p.sbk + gBCol]; }

#include "gemm_tile_gpu.glsl"

void main()
{
    const int n0 = int(gl_WorkGroupID.x) * TN, m0 = int(gl_WorkGroupID.y) * TM;
    const int stageCol = n0 + stageColumn();
    gBCol = min(stageCol, p.N - 1) * p.sbn;
    clearTile();
    gemmTile(m0, p.M, 0, p.K, stageCol < p.N);

    for (int i = 0; i < RM; i++)
    {
        int m = m0 + tileRow(i);
        if (m >= p.M) continue;
        for (int j = 0; j < RN; j++)
        {
            int n = n0 + tileCol(j);
            if (n >= p.N) continue;
            int idx = m * p.scm + n * p.scn;
            float v = acc[i][j];
            if ((p.flags & GEMM_BIAS_COLUMN) != 0u) v += bias[n];
            if ((p.flags & GEMM_BIAS_ROW) != 0u) v += bias[m];
            if ((p.flags & GEMM_RELU) != 0u) v = max(v, 0.0);
            if ((p.flags & GEMM_ACCUMULATE) != 0u) v += c[idx];
            c[idx] = v;
        }
    }
}
