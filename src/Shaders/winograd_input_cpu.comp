#version 450
// Winograd F(2x2,3x3) input transform for a stride-1, pad-1 3x3 conv: tile t = (n, ty, tx) covers outputs
// (2ty..2ty+1, 2tx..2tx+1) and reads the 4x4 input patch d at (2ty-1, 2tx-1), zero outside the image;
// v[e][ci][t] = (B^T d B)[e], e = 4*row + col, B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1].
// T = N * ceil(H/2) * ceil(W/2) tiles; one invocation per (ci, t), neighbouring lanes take neighbouring tiles.
// Dispatch: (ceil(T / 64), Cin, 1).
#include "cpu_block.glsl"
#include "conv2d_params.glsl"
layout(local_size_x = 64) in;

layout(binding = 0, r32f) uniform readonly imageBuffer x;
layout(binding = 1, r32f) uniform writeonly imageBuffer v;

void main()
{
    const int th = (p.H + 1) >> 1, tw = (p.W + 1) >> 1;
    const int tilesPerImage = th * tw, T = p.N * tilesPerImage;
    const int t = int(gl_GlobalInvocationID.x), ci = int(gl_GlobalInvocationID.y);
    if (t >= T) return;
    ivec2 nr = divmod(t, tilesPerImage, 1.0 / float(tilesPerImage)), yx = divmod(nr.y, tw, 1.0 / float(tw));
    const int y0 = 2 * yx.x - 1, x0 = 2 * yx.y - 1;
    const int base = (nr.x * p.Cin + ci) * p.H * p.W;
    float d[4][4];
    [[unroll]] for (int r = 0; r < 4; r++)
    {
        int iy = y0 + r;
        bool rok = uint(iy) < uint(p.H);
        [[unroll]] for (int c = 0; c < 4; c++)
        {
            int ix = x0 + c;
            bool ok = rok && uint(ix) < uint(p.W);
            float val = LOAD(x, ok ? base + iy * p.W + ix : 0);
            d[r][c] = ok ? val : 0.0;
        }
    }
    // Rows: s = d B, then columns: B^T s.
    float s[4][4];
    [[unroll]] for (int r = 0; r < 4; r++)
    {
        s[r][0] = d[r][0] - d[r][2];
        s[r][1] = d[r][1] + d[r][2];
        s[r][2] = d[r][2] - d[r][1];
        s[r][3] = d[r][1] - d[r][3];
    }
    const int plane = p.Cin * T;
    const int o = ci * T + t;
    [[unroll]] for (int c = 0; c < 4; c++)
    {
        imageStore(v, (0 + c) * plane + o, vec4(s[0][c] - s[2][c]));
        imageStore(v, (4 + c) * plane + o, vec4(s[1][c] + s[2][c]));
        imageStore(v, (8 + c) * plane + o, vec4(s[2][c] - s[1][c]));
        imageStore(v, (12 + c) * plane + o, vec4(s[1][c] - s[3][c]));
    }
}
