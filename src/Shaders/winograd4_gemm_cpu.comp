#version 450
// Winograd F(4x4,3x3) GEMMs: for each of the 36 transform points e (z), m[e][co][t] = sum_ci u[e][co][ci] * v[e][ci][t].
// u rows are padded to Kp = roundup(Cin, 4) with zeros and read 4 at a time (rgba32f); v rows past Cin read row Cin-1
// (finite, times a zero weight). m is transformed to y by winograd4_output_cpu (fusing the output transform here
// would need 16 accumulators per output pair: 8x8x16 per invocation, which spills).
// _cpu blocking (cpu_block.glsl): 8 channels x 8 tiles per invocation, 8 lanes per workgroup.
// Dispatch: (ceil(Cout / 8), ceil(T / 64), 36): channel blocks vary fastest so back-to-back workgroups share v.
#include "cpu_block.glsl"
#include "conv2d_params.glsl"
layout(local_size_x = 8) in;

layout(binding = 0, rgba32f) uniform readonly imageBuffer u4;
layout(binding = 1, r32f) uniform readonly imageBuffer v;
layout(std430, binding = 2) writeonly buffer M { float m[]; };

void main()
{
    const int lane = int(gl_LocalInvocationID.x);
    const int co0 = int(gl_WorkGroupID.x) * BM;
    const int e = int(gl_WorkGroupID.z);
    const int T = p.N * ((p.H + 3) >> 2) * ((p.W + 3) >> 2);
    const int Kp4 = (p.Cin + 3) >> 2;
    const int t0 = int(gl_WorkGroupID.y) * WG_COLS + lane;

    int arow[BM], bcol[BN];
    const int abase = e * p.Cout * Kp4, bbase = e * p.Cin * T;
    [[unroll]] for (int i = 0; i < BM; i++) arow[i] = abase + min(co0 + i, p.Cout - 1) * Kp4;
    [[unroll]] for (int j = 0; j < BN; j++) bcol[j] = bbase + min(t0 + 8 * j, T - 1);

    float acc[BM][BN];
    [[unroll]] for (int i = 0; i < BM; i++) [[unroll]] for (int j = 0; j < BN; j++) acc[i][j] = 0.0;
    for (int k4 = 0; k4 < Kp4; k4++)
    {
        vec4 a4[BM];
        [[unroll]] for (int i = 0; i < BM; i++) a4[i] = imageLoad(u4, arow[i] + k4);
        [[unroll]] for (int kk = 0; kk < 4; kk++)
        {
            int koff = min(4 * k4 + kk, p.Cin - 1) * T;
            float b[BN];
            [[unroll]] for (int j = 0; j < BN; j++) b[j] = LOAD(v, bcol[j] + koff);
            [[unroll]] for (int i = 0; i < BM; i++)
                [[unroll]] for (int j = 0; j < BN; j++) acc[i][j] = fma(a4[i][kk], b[j], acc[i][j]);
        }
    }
    [[unroll]] for (int i = 0; i < BM; i++)
    {
        int co = co0 + i;
        if (co >= p.Cout) continue;
        const int row = (e * p.Cout + co) * T;
        [[unroll]] for (int j = 0; j < BN; j++)
        {
            int t = t0 + 8 * j;
            if (t < T) m[row + t] = acc[i][j];
        }
    }
}
