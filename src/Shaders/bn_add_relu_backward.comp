#version 450
// Backward of y = relu(bn(x) + r) with saved batch statistics: g = dy * (y > 0) (mask from the
// forward output y), dresidual = g, then the batch-norm backward of g: dbeta = sum(g),
// dgamma = sum(g * xhat), dx = gamma * invstd / M * (M * g - dbeta - xhat * dgamma), M = N*H*W.
// Layout NCHW float32. One workgroup per channel (grid = C), fixed strided passes + shared tree.
#define WG_SIZE 64
layout(local_size_x = WG_SIZE) in;

layout(binding = 0, r32f) uniform readonly imageBuffer dy;
layout(binding = 1, r32f) uniform readonly imageBuffer y;
layout(binding = 2, r32f) uniform readonly imageBuffer x;
layout(std430, binding = 3) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 4) readonly buffer SavedMean { float saved_mean[]; };
layout(std430, binding = 5) readonly buffer SavedInvStd { float saved_invstd[]; };
layout(std430, binding = 6) writeonly buffer DX { float dx[]; };
layout(std430, binding = 7) writeonly buffer DResidual { float dresidual[]; };
layout(std430, binding = 8) writeonly buffer DGamma { float dgamma[]; };
layout(std430, binding = 9) writeonly buffer DBeta { float dbeta[]; };

layout(push_constant) uniform Push
{
    uint batch;
    uint channels;
    uint hw;
} p;

#include "wg_reduce.glsl"
#include "batchnorm_common.glsl"

float masked_grad(uint i)
{
    return imageLoad(y, int(i)).x > 0.0 ? imageLoad(dy, int(i)).x : 0.0;
}

void main()
{
    uint c = gl_WorkGroupID.x;
    uint m = p.batch * p.hw;
    float mean = saved_mean[c];
    float invstd = saved_invstd[c];
    vec2 acc = vec2(0.0); // (sum g, sum g * xhat)
    for (BnCursor k = bn_walk(c, p.channels, p.hw, 0u, p.batch); k.left > 0u; bn_next(k))
    {
        uint i = k.index;
        float g = masked_grad(i);
        dresidual[i] = g;
        float xhat = (imageLoad(x, int(i)).x - mean) * invstd;
        acc += vec2(g, g * xhat);
    }
    vec2 sums = wg_reduce_sum2(acc);
    float coef = gamma[c] * invstd / float(m);
    for (BnCursor k = bn_walk(c, p.channels, p.hw, 0u, p.batch); k.left > 0u; bn_next(k))
    {
        uint i = k.index;
        float g = masked_grad(i);
        float xhat = (imageLoad(x, int(i)).x - mean) * invstd;
        dx[i] = coef * (float(m) * g - sums.x - xhat * sums.y);
    }
    if (gl_LocalInvocationID.x == 0)
    {
        dbeta[c] = sums.x;
        dgamma[c] = sums.y;
    }
}
