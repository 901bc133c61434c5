#version 450
// Batch norm, training forward: y = gamma * (x - mean) / sqrt(var + eps) + beta with the batch's
// per-channel mean and biased variance over N*H*W; saves mean and 1/sqrt(var + eps) for the
// backward and updates running mean / unbiased running variance with momentum (PyTorch semantics).
// Layout NCHW float32. One workgroup per channel (grid = C): two fixed-order strided passes over
// the channel (shifted sums for mean and variance, then apply) and a shared-memory tree: deterministic.
#define WG_SIZE 64
layout(local_size_x = WG_SIZE) in;

layout(binding = 0, r32f) uniform readonly imageBuffer x;
layout(std430, binding = 1) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 2) readonly buffer Beta { float beta[]; };
layout(std430, binding = 3) writeonly buffer Y { float y[]; };
layout(std430, binding = 4) writeonly buffer SavedMean { float saved_mean[]; };
layout(std430, binding = 5) writeonly buffer SavedInvStd { float saved_invstd[]; };
layout(std430, binding = 6) buffer RunningMean { float running_mean[]; };
layout(std430, binding = 7) buffer RunningVar { float running_var[]; };

layout(push_constant) uniform Push
{
    uint batch;
    uint channels;
    uint hw;
    float eps;
    float momentum;
} p;

#include "wg_reduce.glsl"
#include "batchnorm_common.glsl"

void main()
{
    uint c = gl_WorkGroupID.x;
    uint m = p.batch * p.hw;
    vec2 stats = bn_batch_stats(c, p.batch, p.channels, p.hw);
    float invstd = inversesqrt(stats.y + p.eps);
    float scale = gamma[c] * invstd;
    float shift = beta[c] - stats.x * scale;
    for (BnCursor k = bn_walk(c, p.channels, p.hw, 0u, p.batch); k.left > 0u; bn_next(k))
    {
        uint i = k.index;
        y[i] = imageLoad(x, int(i)).x * scale + shift;
    }
    if (gl_LocalInvocationID.x == 0)
    {
        saved_mean[c] = stats.x;
        saved_invstd[c] = invstd;
        float rm = running_mean[c];
        float rv = running_var[c];
        bn_running_update(rm, rv, stats, m, p.momentum);
        running_mean[c] = rm;
        running_var[c] = rv;
    }
}
