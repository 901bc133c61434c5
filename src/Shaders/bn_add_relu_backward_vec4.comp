#version 450
// Backward of y = relu(bn(x) + r) for H*W a multiple of 4 (the launcher picks it then): the same dx,
// dresidual, dgamma, dbeta as bn_add_relu_backward.comp (ReLU mask from the output y), but each lane
// step reads one rgba32f texel (4 elements of one plane) of dy, y and x and writes vec4s.
// Layout NCHW float32. One workgroup per channel (grid = C), fixed strided passes + shared tree.
#define WG_SIZE 64
#define BN_VEC4
layout(local_size_x = WG_SIZE) in;

layout(binding = 0) uniform samplerBuffer dy;
layout(binding = 1) uniform samplerBuffer y;
layout(binding = 2) uniform samplerBuffer x;
layout(std430, binding = 3) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 4) readonly buffer SavedMean { float saved_mean[]; };
layout(std430, binding = 5) readonly buffer SavedInvStd { float saved_invstd[]; };
layout(std430, binding = 6) writeonly buffer DX { vec4 dx[]; };
layout(std430, binding = 7) writeonly buffer DResidual { vec4 dresidual[]; };
layout(std430, binding = 8) writeonly buffer DGamma { float dgamma[]; };
layout(std430, binding = 9) writeonly buffer DBeta { float dbeta[]; };

layout(push_constant) uniform Push
{
    uint batch;
    uint channels;
    uint hw; // elements per plane, a multiple of 4
} p;

#include "wg_reduce.glsl"
#include "batchnorm_common.glsl"

vec4 masked_grad(int t)
{
    return mix(vec4(0.0), texelFetch(dy, t), greaterThan(texelFetch(y, t), vec4(0.0)));
}

void main()
{
    uint c = gl_WorkGroupID.x;
    uint hw4 = p.hw / 4u;
    uint m = p.batch * p.hw;
    float mean = saved_mean[c];
    float invstd = saved_invstd[c];
    vec2 acc = vec2(0.0); // (sum g, sum g * xhat)
    for (BnCursor k = bn_walk(c, p.channels, hw4, 0u, p.batch); k.left > 0u; bn_next(k))
    {
        int t = int(k.index);
        vec4 g = masked_grad(t);
        dresidual[k.index] = g;
        vec4 xhat = (texelFetch(x, t) - mean) * invstd;
        acc += vec2(g.x + g.y + g.z + g.w, dot(g, xhat));
    }
    vec2 sums = wg_reduce_sum2(acc);
    float coef = gamma[c] * invstd / float(m);
    for (BnCursor k = bn_walk(c, p.channels, hw4, 0u, p.batch); k.left > 0u; bn_next(k))
    {
        int t = int(k.index);
        vec4 xhat = (texelFetch(x, t) - mean) * invstd;
        dx[k.index] = coef * (float(m) * masked_grad(t) - sums.x - xhat * sums.y);
    }
    if (gl_LocalInvocationID.x == 0)
    {
        dbeta[c] = sums.x;
        dgamma[c] = sums.y;
    }
}
