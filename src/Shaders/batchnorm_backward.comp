#version 450
// Batch norm backward from saved batch statistics: with xhat = (x - mean) * invstd and M = N*H*W,
// dbeta = sum(dy), dgamma = sum(dy * xhat), dx = gamma * invstd / M * (M * dy - dbeta - xhat * dgamma).
// dgamma and dbeta are overwritten (a BN parameter has one use per step). Layout NCHW float32.
// One workgroup per channel (grid = C): one strided pass for both sums (fixed tree), one pass for dx.
#define WG_SIZE 64
layout(local_size_x = WG_SIZE) in;

layout(binding = 0, r32f) uniform readonly imageBuffer dy;
layout(binding = 1, r32f) uniform readonly imageBuffer x;
layout(std430, binding = 2) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 3) readonly buffer SavedMean { float saved_mean[]; };
layout(std430, binding = 4) readonly buffer SavedInvStd { float saved_invstd[]; };
layout(std430, binding = 5) writeonly buffer DX { float dx[]; };
layout(std430, binding = 6) writeonly buffer DGamma { float dgamma[]; };
layout(std430, binding = 7) writeonly buffer DBeta { float dbeta[]; };

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
    uint m = p.batch * p.hw;
    float mean = saved_mean[c];
    float invstd = saved_invstd[c];
    vec2 acc = vec2(0.0); // (sum dy, sum dy * xhat)
    for (BnCursor k = bn_walk(c, p.channels, p.hw, 0u, p.batch); k.left > 0u; bn_next(k))
    {
        uint i = k.index;
        float g = imageLoad(dy, int(i)).x;
        float xhat = (imageLoad(x, int(i)).x - mean) * invstd;
        acc += vec2(g, g * xhat);
    }
    vec2 sums = wg_reduce_sum2(acc);
    float coef = gamma[c] * invstd / float(m);
    for (BnCursor k = bn_walk(c, p.channels, p.hw, 0u, p.batch); k.left > 0u; bn_next(k))
    {
        uint i = k.index;
        float g = imageLoad(dy, int(i)).x;
        float xhat = (imageLoad(x, int(i)).x - mean) * invstd;
        dx[i] = coef * (float(m) * g - sums.x - xhat * sums.y);
    }
    if (gl_LocalInvocationID.x == 0)
    {
        dbeta[c] = sums.x;
        dgamma[c] = sums.y;
    }
}
