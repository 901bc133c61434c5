#version 450
// Fused residual-block tail, training forward, for H*W a multiple of 4 (the launcher picks it then):
// y = relu(bn(x) + residual) exactly as bn_add_relu_forward.comp, but each lane step moves one
// rgba32f texel (4 elements of one plane) of x and residual in and one vec4 out. Layout NCHW float32.
// One workgroup per channel (grid = C), two fixed-order strided passes and a shared-memory tree: deterministic.
#define WG_SIZE 64
#define BN_VEC4
layout(local_size_x = WG_SIZE) in;

layout(binding = 0) uniform samplerBuffer x;
layout(binding = 1) uniform samplerBuffer residual;
layout(std430, binding = 2) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 3) readonly buffer Beta { float beta[]; };
layout(std430, binding = 4) writeonly buffer Y { vec4 y[]; };
layout(std430, binding = 5) writeonly buffer SavedMean { float saved_mean[]; };
layout(std430, binding = 6) writeonly buffer SavedInvStd { float saved_invstd[]; };
layout(std430, binding = 7) buffer RunningMean { float running_mean[]; };
layout(std430, binding = 8) buffer RunningVar { float running_var[]; };

layout(push_constant) uniform Push
{
    uint batch;
    uint channels;
    uint hw; // elements per plane, a multiple of 4
    float eps;
    float momentum;
} p;

#include "wg_reduce.glsl"
#include "batchnorm_common.glsl"

void main()
{
    uint c = gl_WorkGroupID.x;
    uint hw4 = p.hw / 4u;
    vec2 stats = bn_batch_stats(c, p.batch, p.channels, hw4);
    float invstd = inversesqrt(stats.y + p.eps);
    float scale = gamma[c] * invstd;
    float shift = beta[c] - stats.x * scale;
    for (BnCursor k = bn_walk(c, p.channels, hw4, 0u, p.batch); k.left > 0u; bn_next(k))
    {
        int t = int(k.index);
        y[k.index] = max(texelFetch(x, t) * scale + shift + texelFetch(residual, t), vec4(0.0));
    }
    if (gl_LocalInvocationID.x == 0)
    {
        saved_mean[c] = stats.x;
        saved_invstd[c] = invstd;
        float rm = running_mean[c];
        float rv = running_var[c];
        bn_running_update(rm, rv, stats, p.batch * p.hw, p.momentum);
        running_mean[c] = rm;
        running_var[c] = rv;
    }
}
