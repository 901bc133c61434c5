// Push constants of the strided GEMM C(m,n) = sum_k A(m,k) B(k,n); mirrored by GemmPush in LinearKernels.cs.
// A(m,k) = a[m*sam + k*sak], B(k,n) = b[k*sbk + n*sbn], C(m,n) = c[m*scm + n*scn]: transposes are strides.
// flags: bit 0 add bias[n], bit 1 add bias[m], bit 2 ReLU, bit 3 accumulate (c += result).
layout(push_constant) uniform GemmParams
{
    int M, N, K;
    int sam, sak, sbk, sbn, scm, scn;
    uint flags;
} p;

const uint GEMM_BIAS_COLUMN = 1u;
const uint GEMM_BIAS_ROW = 2u;
const uint GEMM_RELU = 4u;
const uint GEMM_ACCUMULATE = 8u;
