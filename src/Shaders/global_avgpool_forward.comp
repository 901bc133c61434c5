#version 450
// Global average pooling: y[n, c] = mean over H*W of x[n, c, :, :]. x is NCHW float32, y is [N, C].
// One invocation per (n, c) plane sums its contiguous H*W run serially (fixed order, deterministic);
// the planes are small (7x7, 8x8) where this op sits. Grid: ceil(N*C / 64) groups, flattened from 2-D.
layout(local_size_x = 64) in;

layout(binding = 0, r32f) uniform readonly imageBuffer x;
layout(std430, binding = 1) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Push
{
    uint planes; // N * C
    uint hw;
} p;

#include "ops_grid.glsl"

void main()
{
    uint plane = flat_invocation_id();
    if (plane >= p.planes)
        return;
    uint base = plane * p.hw;
    float s = 0.0;
    for (uint i = 0; i < p.hw; ++i)
        s += imageLoad(x, int(base + i)).x;
    y[plane] = s / float(p.hw);
}
