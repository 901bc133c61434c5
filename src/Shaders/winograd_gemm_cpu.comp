#version 450
// The 16 GEMMs of Winograd F(2x2,3x3): m[e][co][t] = sum_ci u[e][co][ci] * v[e][ci][t], e = gl_WorkGroupID.z.
// u rows are padded to Kp = roundup(Cin, 4) with zeros and read 4 at a time (rgba32f); v rows past Cin read
// row Cin-1 (finite, times a zero weight). _cpu blocking (cpu_block.glsl): 8 channels x 8 tiles per invocation,
// 8 lanes per workgroup. Dispatch: (ceil(Cout / 8), ceil(T / 64), 16): channel blocks vary fastest so
// back-to-back workgroups share one tile block of v in cache.
#include "cpu_block.glsl"
#include "conv2d_params.glsl"
layout(local_size_x = 8) in;

layout(binding = 0, rgba32f) uniform readonly imageBuffer u4;
layout(binding = 1, r32f) uniform readonly imageBuffer v;
layout(binding = 2, r32f) uniform writeonly imageBuffer m;

void main()
{
    const int lane = int(gl_LocalInvocationID.x);
    const int e = int(gl_WorkGroupID.z);
    const int co0 = int(gl_WorkGroupID.x) * BM;
    const int T = p.N * ((p.H + 1) >> 1) * ((p.W + 1) >> 1);
    const int Kp4 = (p.Cin + 3) >> 2;
    const int t0 = int(gl_WorkGroupID.y) * WG_COLS + lane;

    int arow[BM], bcol[BN];
    [[unroll]] for (int i = 0; i < BM; i++) arow[i] = (e * p.Cout + min(co0 + i, p.Cout - 1)) * Kp4;
    [[unroll]] for (int j = 0; j < BN; j++) bcol[j] = e * p.Cin * T + min(t0 + 8 * j, T - 1);

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
        [[unroll]] for (int j = 0; j < BN; j++)
        {
            int t = t0 + 8 * j;
            if (t < T) imageStore(m, (e * p.Cout + co) * T + t, vec4(acc[i][j]));
        }
    }
}
