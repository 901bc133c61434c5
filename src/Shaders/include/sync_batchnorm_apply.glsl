// Body of batchnorm_apply.comp and bn_add_relu_apply.comp (SyncBatchNorm's forward apply pass): the batch mean and
// biased variance of channel c from the shifted sums of batchnorm_stats.comp summed over every rank
// (stats[2c] = sum (x - k), stats[2c + 1] = sum (x - k)^2, k = running_mean[c] before this pass, count = N*H*W of all
// ranks together), then as batchnorm_forward_train.comp: y = gamma * (x - mean) / sqrt(var + eps) + beta, or with
// BN_ADD_RELU defined y = relu(that + residual) as bn_add_relu_forward.comp; saved mean and 1/sqrt(var + eps);
// running mean / unbiased running variance (over count) updated with momentum.
// Layout NCHW float32, one workgroup per channel (grid = C).
#define WG_SIZE 64
layout(local_size_x = WG_SIZE) in;

layout(binding = 0, r32f) uniform readonly imageBuffer x;
layout(std430, binding = 1) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 2) readonly buffer Beta { float beta[]; };
layout(std430, binding = 3) readonly buffer Stats { float stats[]; };
layout(std430, binding = 4) writeonly buffer Y { float y[]; };
layout(std430, binding = 5) writeonly buffer SavedMean { float saved_mean[]; };
layout(std430, binding = 6) writeonly buffer SavedInvStd { float saved_invstd[]; };
layout(std430, binding = 7) buffer RunningMean { float running_mean[]; };
layout(std430, binding = 8) buffer RunningVar { float running_var[]; };
#ifdef BN_ADD_RELU
layout(binding = 9, r32f) uniform readonly imageBuffer residual;
#endif

layout(push_constant) uniform Push
{
    uint batch;
    uint channels;
    uint hw;
    uint count;
    float eps;
    float momentum;
} p;

#include "wg_reduce.glsl"
#include "batchnorm_common.glsl"

void main()
{
    uint c = gl_WorkGroupID.x;
    float k = running_mean[c];
    barrier(); // every lane has read the shift before lane 0 updates the running mean below
    float m = float(p.count);
    float s1 = stats[2u * c] / m;
    float s2 = stats[2u * c + 1u] / m;
    vec2 st = vec2(k + s1, max(s2 - s1 * s1, 0.0));
    float invstd = inversesqrt(st.y + p.eps);
    float scale = gamma[c] * invstd;
    float shift = beta[c] - st.x * scale;
    for (BnCursor q = bn_walk(c, p.channels, p.hw, 0u, p.batch); q.left > 0u; bn_next(q))
    {
        uint i = q.index;
#ifdef BN_ADD_RELU
        y[i] = max(imageLoad(x, int(i)).x * scale + shift + imageLoad(residual, int(i)).x, 0.0);
#else
        y[i] = imageLoad(x, int(i)).x * scale + shift;
#endif
    }
    if (gl_LocalInvocationID.x == 0)
    {
        saved_mean[c] = st.x;
        saved_invstd[c] = invstd;
        float rm = k;
        float rv = running_var[c];
        bn_running_update(rm, rv, st, p.count, p.momentum);
        running_mean[c] = rm;
        running_var[c] = rv;
    }
}
