// Body of batchnorm_backward_stats.comp and bn_add_relu_backward_stats.comp (SyncBatchNorm's backward statistics
// pass): with xhat = (x - mean) * invstd from the saved (all-ranks) statistics and g = dy, or with BN_ADD_RELU defined
// g = dy * (y > 0) (the mask of y = relu(bn(x) + residual), also written as dresidual), this replica's per-channel
// sums sum(g) and sum(g * xhat), into sums[2c], sums[2c + 1] (the host all-reduces them for
// batchnorm_backward_apply.comp, which then reads g: dy, or dresidual) and into dbeta[c], dgamma[c] (this rank's
// parameter gradients, averaged by the gradient buckets like any other; overwritten: one use per step).
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
#ifdef BN_ADD_RELU
layout(binding = 7, r32f) uniform readonly imageBuffer y;
layout(std430, binding = 8) writeonly buffer DResidual { float dresidual[]; };
#endif

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
    vec2 acc = vec2(0.0); // (sum g, sum g * xhat)
    for (BnCursor k = bn_walk(c, p.channels, p.hw, 0u, p.batch); k.left > 0u; bn_next(k))
    {
        uint i = k.index;
        float g = imageLoad(dy, int(i)).x;
#ifdef BN_ADD_RELU
        g = imageLoad(y, int(i)).x > 0.0 ? g : 0.0;
        dresidual[i] = g;
#endif
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
