#version 450
// y[n,co,oy,ox] = sum_{ci,ky,kx} w[co,ci,ky,kx] * x[n,ci,oy*SH-PH+ky,ox*SW-PW+kx] for 3x3 kernels, then optional
// +bias[co], +residual, ReLU, and += into y (flags as conv2d_forward_cpu). NCHW float32.
// Row runs: one invocation owns BLOCK_ROWS output channels x RUN consecutive outputs of one output row, so the
// (RUN-1)*SW+3 texels of x it reads along one input row feed all 3 taps of that kernel row: per (ci, ky) RUN+2 gathers
// (stride 1) feed 3*RUN*BLOCK_ROWS FMAs, where conv2d_forward_cpu's interleaved columns gather 3*BN for 3*BN*BM.
// The weights come rearranged by conv2d_weight_rows (per channel block and input channel: 9 taps x BLOCK_ROWS
// channels, 4 channels a texel); each lane loads an eighth of an input channel's texels and the rest reach it by
// subgroup shuffles (below). The 8 lanes of a workgroup take 8 consecutive runs.
// Dispatch: (ceil(Cout / BLOCK_ROWS), ceil(N*OH*ceil(OW/RUN) / 8), 1); channel blocks on x (ROWS_ON_X left at 1).
#extension GL_KHR_shader_subgroup_shuffle : require
#include "cpu_block.glsl"
#include "conv2d_params.glsl"
#include "conv_grid_cpu.glsl"
layout(local_size_x = 8) in;

layout(constant_id = 1) const int BLOCK_ROWS = 16;  // output channels per invocation, a multiple of 4
layout(constant_id = 2) const int RUN = 7;          // outputs along ox per invocation, 1..8
layout(constant_id = 3) const int STRIDE_X = 1;     // p.SW, 1 or 2: the x window of a run is compile-time
const int XW = (RUN - 1) * STRIDE_X + 3;
const int QUADS = 9 * BLOCK_ROWS / 4;          // texels of one input channel's weights for the block
const int LOADS = (QUADS + 7) / 8;             // of them per lane

layout(binding = 0, r32f) uniform readonly imageBuffer x;
layout(binding = 1, rgba32f) uniform readonly imageBuffer wr4;  // rearranged weights, 4 channels a texel
layout(binding = 2, r32f) uniform readonly imageBuffer bias;
layout(binding = 3, r32f) uniform readonly imageBuffer residual;
layout(std430, binding = 4) buffer Y { float y[]; };

void main()
{
    const int lane = int(gl_LocalInvocationID.x);
    const int co0 = gridRows() * BLOCK_ROWS;
    const int hw = p.H * p.W, hwOut = p.OH * p.OW;
    const int perRow = (p.OW + RUN - 1) / RUN;
    const int runs = p.N * p.OH * perRow;

    // This lane's run: image n, output row oy, first output ox0. A run past the end reads as padding, never stored.
    const int run = gridColumns() * 8 + lane;
    ivec2 rr = divmod(min(run, runs - 1), perRow, 1.0 / float(perRow));
    ivec2 ny = divmod(rr.x, p.OH, 1.0 / float(p.OH));
    const int n = ny.x, oy = ny.y, ox0 = rr.y * RUN;
    const int iy0 = run < runs ? oy * p.SH - p.PH : -0x100000;
    const int ix0 = ox0 * STRIDE_X - p.PW;
    bool colok[XW];
    [[unroll]] for (int u = 0; u < XW; u++) colok[u] = uint(ix0 + u) < uint(p.W);

    float acc[BLOCK_ROWS][RUN];
    [[unroll]] for (int i = 0; i < BLOCK_ROWS; i++) [[unroll]] for (int t = 0; t < RUN; t++) acc[i][t] = 0.0;

    int xoff = n * p.Cin * hw + iy0 * p.W + ix0;
    // Subgroup lane l loads texels l, l+8, ... of each input channel's QUADS; every channel of every tap is then
    // shuffled from the lane that holds it: one gather serves 8 texels, where 8 lanes loading the same (uniform) texel
    // cost lavapipe a gather each (its texel fetches do not detect uniform indices). Needs the workgroup's 8
    // invocations in one subgroup (subgroup size >= 8) and every lane through the loop (no lane leaves before the end).
    int wt = gridRows() * p.Cin * QUADS;
    for (int ci = 0; ci < p.Cin; ci++, xoff += hw, wt += QUADS)
    {
        vec4 wl[LOADS];
        [[unroll]] for (int j = 0; j < LOADS; j++) wl[j] = imageLoad(wr4, wt + min(8 * j + int(gl_SubgroupInvocationID), QUADS - 1));
        [[unroll]] for (int ky = 0; ky < 3; ky++)
        {
            const bool rowok = uint(iy0 + ky) < uint(p.H);
            const int rowoff = xoff + ky * p.W;
            float xv[XW];
            [[unroll]] for (int u = 0; u < XW; u++)
            {
                bool ok = rowok && colok[u];
                float v = LOAD(x, ok ? rowoff + u : 0);
                xv[u] = ok ? v : 0.0;
            }
            [[unroll]] for (int kx = 0; kx < 3; kx++)
            {
                float wv[BLOCK_ROWS];
                [[unroll]] for (int i = 0; i < BLOCK_ROWS; i++)
                {
                    const int t = (ky * 3 + kx) * BLOCK_ROWS + i;     // float index within the channel's weights
                    wv[i] = subgroupShuffle(wl[(t >> 2) >> 3][t & 3], uint((t >> 2) & 7));
                }
                [[unroll]] for (int i = 0; i < BLOCK_ROWS; i++)
                    [[unroll]] for (int t = 0; t < RUN; t++) acc[i][t] = fma(wv[i], xv[t * STRIDE_X + kx], acc[i][t]);
            }
        }
    }

    if (run >= runs) return;
    const int obase = n * p.Cout * hwOut + oy * p.OW + ox0;
    [[unroll]] for (int i = 0; i < BLOCK_ROWS; i++)
    {
        int co = co0 + i;
        if (co >= p.Cout) continue;
        float b = (p.flags & CONV_BIAS) != 0u ? LOAD(bias, co) : 0.0;
        [[unroll]] for (int t = 0; t < RUN; t++)
        {
            if (ox0 + t >= p.OW) continue;
            int idx = obase + co * hwOut + t;
            float v = acc[i][t] + b;
            if ((p.flags & CONV_RESIDUAL) != 0u) v += LOAD(residual, idx);
            if ((p.flags & CONV_RELU) != 0u) v = max(v, 0.0);
            if ((p.flags & CONV_ACCUMULATE) != 0u) v += y[idx];
            y[idx] = v;
        }
    }
}
