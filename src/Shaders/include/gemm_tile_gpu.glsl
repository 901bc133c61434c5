// Shared-memory tiled GEMM main loop for the _gpu forms (discrete GPUs), register-blocked, sizes in specialization
// constants: a TM x TN tile of C per workgroup of (TM/RM)*(TN/RN) invocations, RM x RN outputs each at rows
// ty + (TM/RM)*i and columns tx + (TN/RN)*j (consecutive invocations read consecutive shared words: conflict-free);
// K in steps of TK staged through shared memory. The defaults (64x64, 4x4, 256 invocations) are the fixed rules' form;
// Conv2dTiledGpu.cs lists the other sets and the limits each needs, among them that a workgroup is whole subgroups of
// the size the set is written for, which the pipeline requires where the device allows (SpecConstant.SubgroupSizeId);
// the loop itself is correct at any subgroup size.
// The including shader defines, before including this file:
//   float loadA(int m, int k)  - A element, called only for m < M, k < K;
//   float loadB(int k)         - B element of this invocation's staging column stageColumn(), k < K, column valid;
// and sets the globals loadB reads for that column (fixed for the whole K loop).
layout(local_size_x = 256, local_size_x_id = 0) in;   // = (TM / RM) * (TN / RN)
layout(constant_id = 1) const int TM = 64;
layout(constant_id = 2) const int TN = 64;
layout(constant_id = 3) const int RM = 4;
layout(constant_id = 4) const int RN = 4;
const int TK = 16;
const int TX = TN / RN, TY = TM / RM, NT = TX * TY;

shared float As[TK * (TM + 1)];
shared float Bs[TK * TN];

float acc[RM][RN];

// The B column this invocation stages; NT is a multiple of TN, so it is fixed for the whole K loop.
int stageColumn() { return int(gl_LocalInvocationIndex) % TN; }
// The tile row and column of this invocation's output (i, j).
int tileRow(int i) { return int(gl_LocalInvocationIndex) / TX + TY * i; }
int tileCol(int j) { return int(gl_LocalInvocationIndex) % TX + TX * j; }

void clearTile()
{
    for (int i = 0; i < RM; i++)
        for (int j = 0; j < RN; j++) acc[i][j] = 0.0;
}

// Accumulates k in [kBegin, kEnd) into acc; kBegin is a multiple of TK (split-K ranges are).
void gemmTile(int m0, int M, int kBegin, int kEnd, bool bColumnValid)
{
    const int t = int(gl_LocalInvocationIndex);
    const int tx = t % TX, ty = t / TX;
    const int aK = t % TK, aRow = t / TK;      // A staging: k fastest (contiguous rows of a K-major A)
    const int bK = t / TN, bCol = t % TN;      // B staging: column fastest
    const int K = kEnd;
    for (int k0 = kBegin; k0 < K; k0 += TK)
    {
        for (int i = 0; i < TM * TK / NT; i++)
        {
            int row = aRow + (NT / TK) * i;
            int m = m0 + row, k = k0 + aK;
            As[aK * (TM + 1) + row] = (m < M && k < K) ? loadA(m, k) : 0.0;
        }
        for (int i = 0; i < TK * TN / NT; i++)
        {
            int kr = bK + (NT / TN) * i;
            int k = k0 + kr;
            Bs[kr * TN + bCol] = (bColumnValid && k < K) ? loadB(k) : 0.0;
        }
        barrier();
        for (int kk = 0; kk < TK; kk++)
        {
            float av[RM], bv[RN];
            for (int i = 0; i < RM; i++) av[i] = As[kk * (TM + 1) + ty + TY * i];
            for (int j = 0; j < RN; j++) bv[j] = Bs[kk * TN + tx + TX * j];
            for (int i = 0; i < RM; i++)
                for (int j = 0; j < RN; j++) acc[i][j] = fma(av[i], bv[j], acc[i][j]);
        }
        barrier();
    }
}
