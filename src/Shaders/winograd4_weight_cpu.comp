#version 450
// Winograd F(4x4,3x3) weight transform (Lavin & Gray, points 0, +-1, +-2): u[e][co][ci] = (G g G^T)[e] for
// g = w[co,ci] (3x3), e = 6*row + col (36 points),
// G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1].
// Rows of u are padded to Kp = roundup(Cin, 4) with zeros so the GEMM reads them 4 at a time as rgba32f.
// p.flags bit 0: use the flipped, transposed weights w[ci,co,2-ky,2-kx] (the stride-1 backward-input conv).
// One invocation per (co, k < Kp). Dispatch: (ceil(Kp / 64), Cout, 1); Cout/Cin are the GEMM's channels.
#extension GL_EXT_control_flow_attributes : require
#include "conv2d_params.glsl"
layout(local_size_x = 64) in;

layout(binding = 0, r32f) uniform readonly imageBuffer w;
layout(binding = 1, r32f) uniform writeonly imageBuffer u;

// G times a 3-vector (one column or row of g).
void gmul(float a, float b, float c, out float r[6])
{
    const float s6 = 1.0 / 6.0;
    r[0] = 0.25 * a;
    r[1] = -s6 * (a + b + c);
    r[2] = -s6 * (a - b + c);
    r[3] = (1.0 / 24.0) * a + (1.0 / 12.0) * b + s6 * c;
    r[4] = (1.0 / 24.0) * a - (1.0 / 12.0) * b + s6 * c;
    r[5] = c;
}

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
    // t = G g (6x3), column by column; then each row of u = G t[row]^T.
    float t[6][3];
    [[unroll]] for (int c = 0; c < 3; c++)
    {
        float col[6];
        gmul(g[0][c], g[1][c], g[2][c], col);
        [[unroll]] for (int r = 0; r < 6; r++) t[r][c] = col[r];
    }
    const int plane = p.Cout * Kp;
    [[unroll]] for (int r = 0; r < 6; r++)
    {
        float v[6];
        gmul(t[r][0], t[r][1], t[r][2], v);
        [[unroll]] for (int c = 0; c < 6; c++) imageStore(u, (6 * r + c) * plane + co * Kp + ci, vec4(v[c]));
    }
}
