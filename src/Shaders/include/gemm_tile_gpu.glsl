// Shared-memory tiled GEMM main loop for the _gpu variants (discrete GPUs).
// A 64x64 tile of C per workgroup of 256 (16x16) invocations, 4x4 outputs each at rows ty+16*i and
// columns tx+16*j (conflict-free shared reads); K in steps of 16 staged through shared memory.
// The including shader defines, before including this file:
//   float loadA(int m, int k)  - A element, called only for m < M, k < K;
//   float loadB(int k)         - B element of this invocation's staging column bColumn, k < K, bColumn valid;
// and sets bColumn / bColumnValid (the column this invocation stages, fixed for the whole K loop).
#define TM 64
#define TN 64
#define TK 16
layout(local_size_x = 256) in;

shared float As[TK][TM + 1];
shared float Bs[TK][TN];

// Accumulates k in [kBegin, kEnd); kBegin is a multiple of TK (split-K ranges are).
void gemmTile(int m0, int M, int kBegin, int kEnd, bool bColumnValid, inout float acc[4][4])
{
    const int t = int(gl_LocalInvocationIndex);
    const int tx = t % 16, ty = t / 16;
    const int aK = t % TK, aRow = t / TK;      // A staging: k fastest (contiguous rows of a K-major A)
    const int bK = t / TN, bCol = t % TN;      // B staging: column fastest
    const int K = kEnd;
    for (int k0 = kBegin; k0 < K; k0 += TK)
    {
        for (int i = 0; i < 4; i++)
        {
            int m = m0 + aRow + 16 * i, k = k0 + aK;
            As[aK][aRow + 16 * i] = (m < M && k < K) ? loadA(m, k) : 0.0;
        }
        for (int i = 0; i < 4; i++)
        {
            int k = k0 + bK + 4 * i;
            Bs[bK + 4 * i][bCol] = (bColumnValid && k < K) ? loadB(k) : 0.0;
        }
        barrier();
        for (int kk = 0; kk < TK; kk++)
        {
            float av[4], bv[4];
            for (int i = 0; i < 4; i++) av[i] = As[kk][ty + 16 * i];
            for (int j = 0; j < 4; j++) bv[j] = Bs[kk][tx + 16 * j];
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++) acc[i][j] = fma(av[i], bv[j], acc[i][j]);
        }
        barrier();
    }
}
