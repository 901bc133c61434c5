#version 450
// SyncBatchNorm, backward statistics pass: with xhat = (x - mean) * invstd from the saved (all-ranks) statistics,
// this replica's per-channel sums sum(dy) and sum(dy * xhat), into sums[2c], sums[2c + 1] (the host all-reduces
// them for batchnorm_backward_apply.comp) and into dbeta[c], dgamma[c] (this rank's parameter gradients, which the
// gradient buckets then average like any other; overwritten: a BN parameter has one use per step).
// Layout NCHW float32. One workgroup per channel (grid = C), a fixed-order strided pass and tree: deterministic.
#define WG_SIZE 64
layout(local_size_x = WG_SIZE) in;

layout(binding = 0, r32f) uniform readonly imageBuffer dy;
layout(binding = 1, r32f) uniform readonly imageBuffer x;
layout(std430, binding = 2) readonly buffer SavedMean { float saved_mean[]; };
layout(std430, binding = 3) readonly buffer SavedInvStd { float saved_invstd[]; };
layout(std430, binding = 4) writeonly buffer Sums { float sums[]; };
layout(std430, binding = 5) writeonly buffer DGamma { float dgamma[]; };
layout(std430, binding = 6) writeonly buffer DBeta { float dbeta[]; };

layout(push_constant) uniform Push
{
    uint batch;
    uint channels;
    uint hw;
} p;

#include "wg_reduce.glsl"
#include "batchnorm_common.glsl"

void main()
{
    uint c = gl_WorkGroupID.x;
    float mean = saved_mean[c];
    float invstd = saved_invstd[c];
    vec2 acc = vec2(0.0); // (sum dy, sum dy * xhat)
    for (BnCursor k = bn_begin(c, p.channels, p.hw); k.n < p.batch; bn_next(k, p.channels, p.hw))
    {
        uint i = k.index;
        float g = imageLoad(dy, int(i)).x;
        float xhat = (imageLoad(x, int(i)).x - mean) * invstd;
        acc += vec2(g, g * xhat);
    }
    vec2 s = wg_reduce_sum2(acc);
    if (gl_LocalInvocationID.x == 0)
    {
        sums[2u * c] = s.x;
        sums[2u * c + 1u] = s.y;
        dbeta[c] = s.x;
        dgamma[c] = s.y;
    }
}
