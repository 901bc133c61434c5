#version 450
// Winograd F(4x4,3x3) input transform for a stride-1, pad-1 3x3 conv: tile t = (n, ty, tx) covers outputs
// (4ty..4ty+3, 4tx..4tx+3) and reads the 6x6 input patch d at (4ty-1, 4tx-1), zero outside the image;
// v[e][ci][t] = (B^T d B)[e], e = 6*row + col, with B^T (points 0, +-1, +-2) =
// [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1].
// T = N * ceil(H/4) * ceil(W/4) tiles; one invocation per (ci, t), neighbouring lanes take neighbouring tiles.
// Dispatch: (ceil(T / 64), Cin, 1).
#include "cpu_block.glsl"
#include "conv2d_params.glsl"
layout(local_size_x = 64) in;

layout(binding = 0, r32f) uniform readonly imageBuffer x;
layout(binding = 1, r32f) uniform writeonly imageBuffer v;

// B^T times a 6-vector. Entries are small integers: exact products, one rounding per add.
void bt(float d0, float d1, float d2, float d3, float d4, float d5, out float r[6])
{
    r[0] = fma(4.0, d0, fma(-5.0, d2, d4));
    r[1] = fma(-4.0, d1 + d2, d3 + d4);
    r[2] = fma(4.0, d1 - d2, d4 - d3);
    r[3] = fma(2.0, d3 - d1, d4 - d2);
    r[4] = fma(2.0, d1 - d3, d4 - d2);
    r[5] = fma(4.0, d1, fma(-5.0, d3, d5));
}

void main()
{
    const int th = (p.H + 3) >> 2, tw = (p.W + 3) >> 2;
    const int tilesPerImage = th * tw, T = p.N * tilesPerImage;
    const int t = int(gl_GlobalInvocationID.x), ci = int(gl_GlobalInvocationID.y);
    if (t >= T) return;
    ivec2 nr = divmod(t, tilesPerImage, 1.0 / float(tilesPerImage)), yx = divmod(nr.y, tw, 1.0 / float(tw));
    const int y0 = 4 * yx.x - 1, x0 = 4 * yx.y - 1;
    const int base = (nr.x * p.Cin + ci) * p.H * p.W;
    float d[6][6];
    [[unroll]] for (int r = 0; r < 6; r++)
    {
        int iy = y0 + r;
        bool rok = uint(iy) < uint(p.H);
        [[unroll]] for (int c = 0; c < 6; c++)
        {
            int ix = x0 + c;
            bool ok = rok && uint(ix) < uint(p.W);
            float val = LOAD(x, ok ? base + iy * p.W + ix : 0);
            d[r][c] = ok ? val : 0.0;
        }
    }
    // Rows: s[r] = B^T d[r] (= d B, row r), then columns: B^T s.
    float s[6][6];
    [[unroll]] for (int r = 0; r < 6; r++)
    {
        float q[6];
        bt(d[r][0], d[r][1], d[r][2], d[r][3], d[r][4], d[r][5], q);
        [[unroll]] for (int c = 0; c < 6; c++) s[r][c] = q[c];
    }
    const int plane = p.Cin * T;
    const int o = ci * T + t;
    [[unroll]] for (int c = 0; c < 6; c++)
    {
        float q[6];
        bt(s[0][c], s[1][c], s[2][c], s[3][c], s[4][c], s[5][c], q);
        [[unroll]] for (int r = 0; r < 6; r++) imageStore(v, (6 * r + c) * plane + o, vec4(q[r]));
    }
}
