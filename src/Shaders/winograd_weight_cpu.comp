#version 450
// Winograd F(2x2,3x3) weight transform: u[e][co][ci] = (G g G^T)[e] for g = w[co,ci] (3x3), e = 4*row + col,
// G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1]. Rows of u are padded to Kp = roundup(Cin, 4) with zeros so the GEMM
// reads them 4 at a time as rgba32f. p.flags bit 0: use the flipped, transposed weights w[ci,co,2-ky,2-kx]
// (the stride-1 backward-input conv), so no separate flip pass is needed. One invocation per (co, k < Kp).
// Dispatch: (ceil(Kp / 64), Cout, 1); here Cout/Cin are the GEMM's (output / reduced) channels.
#extension GL_EXT_control_flow_attributes : require
#include "conv2d_params.glsl"
layout(local_size_x = 64) in;

layout(binding = 0, r32f) uniform readonly imageBuffer w;
layout(binding = 1, r32f) uniform writeonly imageBuffer u;

void main()
{
    const int Kp = (p.Cin + 3) & ~3;
    const int ci = int(gl_GlobalInvocationID.x), co = int(gl_GlobalInvocationID.y);
    if (ci >= Kp) return;
    float g[3][3];
    const bool flip = (p.flags & 1u) != 0u;
    [[unroll]] for (int ky = 0; ky < 3; ky++)
        [[unroll]] for (int kx = 0; kx < 3; kx++)
        {
            int idx = flip ? ((ci * p.Cout + co) * 9 + (2 - ky) * 3 + (2 - kx)) : ((co * p.Cin + ci) * 9 + ky * 3 + kx);
            g[ky][kx] = ci < p.Cin ? imageLoad(w, ci < p.Cin ? idx : 0).x : 0.0;
        }
    // t = G g (4x3), then u = t G^T (4x4).
    float t[4][3];
    [[unroll]] for (int c = 0; c < 3; c++)
    {
        t[0][c] = g[0][c];
        t[1][c] = 0.5 * (g[0][c] + g[1][c] + g[2][c]);
        t[2][c] = 0.5 * (g[0][c] - g[1][c] + g[2][c]);
        t[3][c] = g[2][c];
    }
    const int plane = p.Cout * Kp;
    [[unroll]] for (int r = 0; r < 4; r++)
    {
        float v[4] = float[4](t[r][0], 0.5 * (t[r][0] + t[r][1] + t[r][2]), 0.5 * (t[r][0] - t[r][1] + t[r][2]), t[r][2]);
        [[unroll]] for (int c = 0; c < 4; c++) imageStore(u, (4 * r + c) * plane + co * Kp + ci, vec4(v[c]));
    }
}
