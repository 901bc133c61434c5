#version 450
// Batch norm, inference: y = (x - running_mean) / sqrt(running_var + eps) * gamma + beta.
// Layout NCHW float32, count = N*C*H*W; each invocation reads one rgba32f texel (4 consecutive
// elements, which may straddle a channel boundary, so the channel is derived per element) and
// writes the in-range ones. Grid: ceil(count / 4 / 64) groups, flattened from 2-D.
layout(local_size_x = 64) in;

layout(binding = 0) uniform samplerBuffer x;
layout(std430, binding = 1) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 2) readonly buffer Beta { float beta[]; };
layout(std430, binding = 3) readonly buffer RunningMean { float running_mean[]; };
layout(std430, binding = 4) readonly buffer RunningVar { float running_var[]; };
layout(std430, binding = 5) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Push
{
    uint count;
    uint channels;
    uint hw;
    float eps;
} p;

#include "ops_grid.glsl"

void main()
{
    uint t = flat_invocation_id();
    uint base = t * 4u;
    if (base >= p.count)
        return;
    vec4 v = texelFetch(x, int(t));
    for (uint k = 0; k < 4u && base + k < p.count; ++k)
    {
        uint c = ((base + k) / p.hw) % p.channels;
        float scale = gamma[c] * inversesqrt(running_var[c] + p.eps);
        y[base + k] = (v[k] - running_mean[c]) * scale + beta[c];
    }
}
