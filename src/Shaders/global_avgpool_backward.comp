#version 450
// Global average pooling backward: dx[n, c, h, w] = dy[n, c] / (H*W). dx is NCHW float32, dy [N, C].
// Each invocation writes 4 consecutive elements of dx (planes may end mid-group, so the plane is
// derived per element); grid: ceil(N*C*H*W / 4 / 64) groups, flattened from 2-D.
layout(local_size_x = 64) in;

layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) writeonly buffer DX { float dx[]; };

layout(push_constant) uniform Push
{
    uint count; // N * C * H * W
    uint hw;
} p;

#include "ops_grid.glsl"

void main()
{
    uint base = flat_invocation_id() * 4u;
    float inv = 1.0 / float(p.hw);
    for (uint k = 0; k < 4u && base + k < p.count; ++k)
        dx[base + k] = dy[(base + k) / p.hw] * inv;
}
