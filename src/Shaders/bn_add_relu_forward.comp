#version 450
// Fused end of a residual block, training forward: y = relu(gamma * (x - mean) * invstd + beta + r)
// with batch statistics of x (mean, biased variance over N*H*W), saving mean and invstd and updating
// the running statistics exactly as batchnorm_forward_train does. Layout NCHW float32 for x, r, y.
// One workgroup per channel (grid = C), two fixed-order strided passes and a shared-memory tree: deterministic.
#define WG_SIZE 64
layout(local_size_x = WG_SIZE) in;

layout(binding = 0, r32f) uniform readonly imageBuffer x;
layout(binding = 1, r32f) uniform readonly imageBuffer residual;
layout(std430, binding = 2) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 3) readonly buffer Beta { float beta[]; };
layout(std430, binding = 4) writeonly buffer Y { float y[]; };
layout(std430, binding = 5) writeonly buffer SavedMean { float saved_mean[]; };
layout(std430, binding = 6) writeonly buffer SavedInvStd { float saved_invstd[]; };
layout(std430, binding = 7) buffer RunningMean { float running_mean[]; };
layout(std430, binding = 8) buffer RunningVar { float running_var[]; };

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
        float v = imageLoad(x, int(i)).x * scale + shift + imageLoad(residual, int(i)).x;
        y[i] = max(v, 0.0);
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
