// The body of conv2d_backward_weight_taps_cpu and _shuffle_cpu (SHUFFLE_ROWS defined: the dy rows, the same for the
// workgroup's 8 lanes, are loaded once across the lanes and shared by subgroup shuffles, where each lane loading them
// costs lavapipe a gather per lane and load).
// dw[co,ci,ky,kx] = sum_{n,oy,ox} dy[n,co,oy,ox] * x[n,ci,oy*SH-PH+ky,ox*SW-PW+kx] for 3x3 kernels; written (flag bit 3: added).
// NCHW float32, weight [Cout,Cin,3,3]. One invocation owns ROWS output channels x one input channel x all 9 taps, so
// one row of x read along ox feeds the 3 taps of a kernel row: per 4 outputs along ox, 3 rows of 3*SW+3 x texels and
// ROWS dy vec4s (or ROWS x 4 scalars) feed ROWS*36 FMAs (the one-pass kernel reads 16 texels per 64); maps whose
// width is a multiple of 7 (not of 4) take 7 outputs a step so no output is wasted. The 8 lanes of a
// workgroup take 8 consecutive input channels (uniform dy loads). The reduction over N*OH*OW is split by images into
// gl_NumWorkGroups.z slices of p.splitK images, each written to its own partial (one slice: to dw itself);
// splitk_reduce sums the partials in slice order, so the bits are the same every run.
// Dispatch: (ceil(Cin / 8), ceil(Cout / ROWS), slices).
#ifdef SHUFFLE_ROWS
#extension GL_KHR_shader_subgroup_shuffle : require
#endif
#include "cpu_block.glsl"
#include "conv2d_params.glsl"
layout(local_size_x = 8) in;

layout(constant_id = 0) const int STRIDE_X = 1;     // p.SW, 1 or 2: the x window of 4 outputs is compile-time
layout(constant_id = 1) const int ROWS = 8;         // output channels per invocation, 1..8
layout(constant_id = 2) const bool DY_VEC4 = false; // OW % 4 == 0 and OX 4: dy read 4 outputs at a time
layout(constant_id = 3) const int OX = 4;           // outputs along ox per step, 1..8

const int MAX_ROWS = 8, MAX_OX = 8, MAX_XW = (MAX_OX - 1) * 2 + 3;

layout(binding = 0, r32f) uniform readonly imageBuffer dy;
layout(binding = 1, rgba32f) uniform readonly imageBuffer dy4;   // dy again, as vec4 texels
layout(binding = 2, r32f) uniform readonly imageBuffer x;
layout(std430, binding = 3) buffer Out { float outv[]; };       // dw, or the slices' partials

void main()
{
    const int ci = int(gl_WorkGroupID.x) * 8 + int(gl_LocalInvocationID.x);
    const int co0 = int(gl_WorkGroupID.y) * ROWS;
    const int hw = p.H * p.W, hwOut = p.OH * p.OW;
    const int xw = (OX - 1) * STRIDE_X + 3;
    const int n0 = int(gl_WorkGroupID.z) * p.splitK, n1 = min(p.N, n0 + p.splitK);

    int dyrow[MAX_ROWS];
    [[unroll]] for (int i = 0; i < ROWS; i++) dyrow[i] = min(co0 + i, p.Cout - 1) * hwOut;

#ifdef SHUFFLE_ROWS
    // Subgroup lane l loads entries l, l+8, ... of the ROWS x OX dy block of a step (row-major), or with vec4 dy row l.
    const int sg = int(gl_SubgroupInvocationID);
    const int count = ROWS * OX, loads = (count + 7) / 8;
    int laneOff[MAX_ROWS], laneT[MAX_ROWS];
    [[unroll]] for (int j = 0; j < loads; j++)
    {
        int e = min(8 * j + sg, count - 1), row = e / OX;
        laneT[j] = e - row * OX;
        laneOff[j] = min(co0 + row, p.Cout - 1) * hwOut + laneT[j];
    }
    const int laneRow4 = min(co0 + min(sg, ROWS - 1), p.Cout - 1) * hwOut;
#endif

    float acc[MAX_ROWS][9];
    [[unroll]] for (int i = 0; i < ROWS; i++) [[unroll]] for (int k = 0; k < 9; k++) acc[i][k] = 0.0;

    for (int n = n0; n < n1; n++)
    {
        const int xn = (n * p.Cin + min(ci, p.Cin - 1)) * hw;
        const int dyn = n * p.Cout * hwOut;
        for (int oy = 0; oy < p.OH; oy++)
        {
            const int iy0 = oy * p.SH - p.PH;
            for (int ox0 = 0; ox0 < p.OW; ox0 += OX)
            {
                // dy of ROWS channels at OX outputs along ox; outputs past the row read as 0.
                float a[MAX_ROWS][MAX_OX];
                const int o = dyn + oy * p.OW + ox0;
#ifdef SHUFFLE_ROWS
                if (DY_VEC4)
                {
                    vec4 v = imageLoad(dy4, (laneRow4 + o) >> 2);
                    [[unroll]] for (int i = 0; i < ROWS; i++)
                        [[unroll]] for (int t = 0; t < 4; t++) a[i][t] = subgroupShuffle(v[t], uint(i));
                }
                else
                {
                    float v[MAX_ROWS];
                    [[unroll]] for (int j = 0; j < loads; j++)
                    {
                        bool ok = ox0 + laneT[j] < p.OW;
                        float d = LOAD(dy, ok ? laneOff[j] + o : 0);
                        v[j] = ok ? d : 0.0;
                    }
                    [[unroll]] for (int i = 0; i < ROWS; i++)
                        [[unroll]] for (int t = 0; t < OX; t++) a[i][t] = subgroupShuffle(v[(i * OX + t) >> 3], uint((i * OX + t) & 7));
                }
#else
                if (DY_VEC4)
                {
                    [[unroll]] for (int i = 0; i < ROWS; i++)
                    {
                        vec4 v = imageLoad(dy4, (dyrow[i] + o) >> 2);
                        [[unroll]] for (int t = 0; t < 4; t++) a[i][t] = v[t];
                    }
                }
                else
                {
                    [[unroll]] for (int t = 0; t < OX; t++)
                    {
                        bool ok = ox0 + t < p.OW;
                        [[unroll]] for (int i = 0; i < ROWS; i++)
                        {
                            float v = LOAD(dy, ok ? dyrow[i] + o + t : 0);
                            a[i][t] = ok ? v : 0.0;
                        }
                    }
                }
#endif
                const int ix0 = ox0 * STRIDE_X - p.PW;
                [[unroll]] for (int ky = 0; ky < 3; ky++)
                {
                    const int iy = iy0 + ky;
                    const bool rowok = uint(iy) < uint(p.H);
                    const int rowoff = xn + iy * p.W;
                    float xv[MAX_XW];
                    [[unroll]] for (int u = 0; u < xw; u++)
                    {
                        int ix = ix0 + u;
                        bool ok = rowok && uint(ix) < uint(p.W);
                        float v = LOAD(x, ok ? rowoff + ix : 0);
                        xv[u] = ok ? v : 0.0;
                    }
                    [[unroll]] for (int i = 0; i < ROWS; i++)
                        [[unroll]] for (int kx = 0; kx < 3; kx++)
                            [[unroll]] for (int t = 0; t < OX; t++)
                                acc[i][ky * 3 + kx] = fma(a[i][t], xv[t * STRIDE_X + kx], acc[i][ky * 3 + kx]);
                }
            }
        }
    }

    if (ci >= p.Cin) return;
    const int base = int(gl_WorkGroupID.z) * p.Cout * p.Cin * 9;
    [[unroll]] for (int i = 0; i < ROWS; i++)
    {
        int co = co0 + i;
        if (co >= p.Cout) continue;
        [[unroll]] for (int k = 0; k < 9; k++)
        {
            int idx = base + (co * p.Cin + ci) * 9 + k;
            float v = acc[i][k];
            if ((p.flags & CONV_ACCUMULATE) != 0u) v += outv[idx];
            outv[idx] = v;
        }
    }
}
