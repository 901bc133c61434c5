#version 450
// Winograd F(2x2,3x3) in one pass for a stride-1, pad-1 3x3 conv: input transform, GEMM and output transform fused.
// Tile t = (n, ty, tx) covers outputs (2ty..2ty+1, 2tx..2tx+1) and reads the 4x4 input patch d at (2ty-1, 2tx-1), zero
// outside the image. Per 4 reduced channels an invocation loads its tiles' patches, transforms them in registers
// (B^T d B, as winograd_input_cpu) and adds u[e][co][ci] * v[e] into acc[co][t][e] for the 16 points e, with u = G g G^T
// from winograd_weight_cpu ([16][Cout][Kp], read 4 channels at a time as rgba32f; zero past Cin, so v rows past Cin read
// row Cin-1). At the end y = A^T M A per (co, tile), then +bias, +residual, ReLU, += y, as conv2d_forward.
// Blocking (specialization constants): ROWS output channels x COLS tiles per invocation; the 8 lanes of a workgroup
// share the channel block (uniform u loads) and take interleaved tiles (t = base + lane + 8j: neighbouring patches).
// Dispatch: (ceil(Cout / ROWS), ceil(T / (8 COLS)), 1): channel blocks vary fastest so back-to-back workgroups share x.
#include "cpu_block.glsl"
#include "conv2d_params.glsl"
layout(local_size_x = 8) in;

layout(constant_id = 0) const int ROWS = 8;   // output channels per invocation, 1..MAX_ROWS
layout(constant_id = 1) const int COLS = 2;   // 2x2 tiles per invocation, 1..MAX_COLS

const int MAX_ROWS = 16, MAX_COLS = 4;

layout(binding = 0, rgba32f) uniform readonly imageBuffer u4;
layout(binding = 1, r32f) uniform readonly imageBuffer x;
layout(binding = 2, r32f) uniform readonly imageBuffer bias;
layout(binding = 3, r32f) uniform readonly imageBuffer residual;
layout(std430, binding = 4) buffer Y { float y[]; };

void main()
{
    const int lane = int(gl_LocalInvocationID.x);
    const int co0 = int(gl_WorkGroupID.x) * ROWS;
    const int th = (p.H + 1) >> 1, tw = (p.W + 1) >> 1;
    const int tilesPerImage = th * tw, T = p.N * tilesPerImage;
    const int hw = p.H * p.W;
    const int Kp4 = (p.Cin + 3) >> 2, plane4 = p.Cout * Kp4;
    const int t0 = int(gl_WorkGroupID.y) * (8 * COLS) + lane;

    int arow[MAX_ROWS];
    [[unroll]] for (int i = 0; i < ROWS; i++) arow[i] = min(co0 + i, p.Cout - 1) * Kp4;

    // Per tile: the patch's top-left offset in channel 0 of its image and which of its rows and columns lie inside.
    int corner[MAX_COLS];
    bool rowIn[MAX_COLS][4], colIn[MAX_COLS][4];
    [[unroll]] for (int j = 0; j < COLS; j++)
    {
        int t = min(t0 + 8 * j, T - 1);
        ivec2 nr = divmod(t, tilesPerImage, 1.0 / float(tilesPerImage)), yx = divmod(nr.y, tw, 1.0 / float(tw));
        const int y0 = 2 * yx.x - 1, x0 = 2 * yx.y - 1;
        corner[j] = nr.x * p.Cin * hw + y0 * p.W + x0;
        [[unroll]] for (int q = 0; q < 4; q++)
        {
            rowIn[j][q] = uint(y0 + q) < uint(p.H);
            colIn[j][q] = uint(x0 + q) < uint(p.W);
        }
    }

    float acc[MAX_ROWS][MAX_COLS][16];
    [[unroll]] for (int i = 0; i < ROWS; i++) [[unroll]] for (int j = 0; j < COLS; j++) [[unroll]] for (int e = 0; e < 16; e++) acc[i][j][e] = 0.0;

    for (int k4 = 0; k4 < Kp4; k4++)
    {
        // The transformed patches of 4 reduced channels.
        float v[4][MAX_COLS][16];
        [[unroll]] for (int kk = 0; kk < 4; kk++)
        {
            const int chan = min(4 * k4 + kk, p.Cin - 1) * hw;
            [[unroll]] for (int j = 0; j < COLS; j++)
            {
                float d[4][4];
                [[unroll]] for (int r = 0; r < 4; r++)
                    [[unroll]] for (int c = 0; c < 4; c++)
                    {
                        bool ok = rowIn[j][r] && colIn[j][c];
                        float val = LOAD(x, ok ? corner[j] + chan + r * p.W + c : 0);
                        d[r][c] = ok ? val : 0.0;
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
                [[unroll]] for (int c = 0; c < 4; c++)
                {
                    v[kk][j][0 + c] = s[0][c] - s[2][c];
                    v[kk][j][4 + c] = s[1][c] + s[2][c];
                    v[kk][j][8 + c] = s[2][c] - s[1][c];
                    v[kk][j][12 + c] = s[1][c] - s[3][c];
                }
            }
        }
        [[unroll]] for (int i = 0; i < ROWS; i++)
            [[unroll]] for (int e = 0; e < 16; e++)
            {
                vec4 a = imageLoad(u4, e * plane4 + arow[i] + k4);
                [[unroll]] for (int kk = 0; kk < 4; kk++)
                    [[unroll]] for (int j = 0; j < COLS; j++) acc[i][j][e] = fma(a[kk], v[kk][j][e], acc[i][j][e]);
            }
    }

    [[unroll]] for (int j = 0; j < COLS; j++)
    {
        int t = t0 + 8 * j;
        if (t >= T) continue;
        ivec2 nr = divmod(t, tilesPerImage, 1.0 / float(tilesPerImage)), yx = divmod(nr.y, tw, 1.0 / float(tw));
        const int oy0 = 2 * yx.x, ox0 = 2 * yx.y;
        [[unroll]] for (int i = 0; i < ROWS; i++)
        {
            int co = co0 + i;
            if (co >= p.Cout) continue;
            // A^T = [1 1 1 0; 0 1 -1 -1]: columns first (s = A^T M), then rows (s A).
            float s0[4], s1[4];
            [[unroll]] for (int c = 0; c < 4; c++)
            {
                s0[c] = acc[i][j][c] + acc[i][j][4 + c] + acc[i][j][8 + c];
                s1[c] = acc[i][j][4 + c] - acc[i][j][8 + c] - acc[i][j][12 + c];
            }
            const float o[4] = float[4](s0[0] + s0[1] + s0[2], s0[1] - s0[2] - s0[3], s1[0] + s1[1] + s1[2], s1[1] - s1[2] - s1[3]);
            const int base = (nr.x * p.Cout + co) * p.OH * p.OW;
            [[unroll]] for (int q = 0; q < 4; q++)
            {
                int oy = oy0 + (q >> 1), ox = ox0 + (q & 1);
                if (oy >= p.OH || ox >= p.OW) continue;
                int idx = base + oy * p.OW + ox;
                float val = o[q];
                if ((p.flags & CONV_BIAS) != 0u) val += LOAD(bias, co);
                if ((p.flags & CONV_RESIDUAL) != 0u) val += LOAD(residual, idx);
                if ((p.flags & CONV_RELU) != 0u) val = max(val, 0.0);
                if ((p.flags & CONV_ACCUMULATE) != 0u) val += y[idx];
                y[idx] = val;
            }
        }
    }
}
